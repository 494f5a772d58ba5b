"""qa.answering.compare: a question naming several places gets a line for each (hand-made hits, no index)."""
from __future__ import annotations

from types import SimpleNamespace

from qa.answering.compare import compared_places, one_per_place
from test_answer import GULOU_FD, JIADING_FD, LUCHENG_FD, OTHER, ask, gaz, hit  # noqa: F401  (gaz: fixture)


def mention(field, value):
    return SimpleNamespace(field=field, value=value)


def pick(h, *, has_number=False, text="句子。"):
    return SimpleNamespace(hit=h, has_number=has_number, text=text)


HITS = [hit("gulou-2021#1", GULOU_FD), hit("jiading-2024#1", JIADING_FD), hit("lucheng-2021#1", LUCHENG_FD),
        hit("gulou-2021#2", OTHER)]


def test_two_districts_are_two_places_in_the_order_named():
    got = compared_places([mention("district", "嘉定区"), mention("district", "鼓楼区")], HITS)
    assert got == [frozenset({"jiading-2024"}), frozenset({"gulou-2021"})]


def test_a_city_named_with_its_own_district_is_one_place():
    # 福州市鼓楼区: the city's documents among the hits contain the district's → the district only
    assert compared_places([mention("city", "福州市"), mention("district", "鼓楼区")], HITS) == [
        frozenset({"gulou-2021"})]


def test_a_city_and_a_district_elsewhere_are_two_places():
    got = compared_places([mention("city", "温州市"), mention("district", "嘉定区")], HITS)
    assert got == [frozenset({"lucheng-2021"}), frozenset({"jiading-2024"})]


def test_a_place_without_hits_and_a_repeated_place_count_nothing():
    assert compared_places([mention("district", "鼓楼区"), mention("district", "鼓楼区")], HITS) == [
        frozenset({"gulou-2021"})]
    assert compared_places([mention("district", "鼓楼区"), mention("district", "朝阳区")], HITS) == [
        frozenset({"gulou-2021"})]
    assert compared_places([], HITS) == []


def test_one_per_place_takes_each_place_s_best_and_prefers_a_number_when_the_best_has_one():
    g1, j1, j2 = pick(HITS[0], has_number=True), pick(HITS[1]), pick(HITS[1], has_number=True)
    places = [frozenset({"gulou-2021"}), frozenset({"jiading-2024"})]
    assert one_per_place([g1, j1, j2], places, need_number=True) == [g1, j2]
    assert one_per_place([g1, j1, j2], places, need_number=False) == [g1, j1]
    # a place with no candidate sentence is left out, never filled with another place's sentence
    assert one_per_place([g1], places, need_number=False) == [g1]


def test_the_answer_has_a_line_for_each_place_named(gaz):
    a = ask(gaz, "鼓楼区和嘉定区的家庭医生签约服务分别有什么要求？", HITS)
    assert not a.abstained
    assert [s.label for s in a.sentences][:2] == ["福州市鼓楼区", "上海市嘉定区"]
    assert set(a.doc_ids) == {"gulou-2021", "jiading-2024"}  # 鹿城区 was retrieved but not asked about
    assert "家庭医生签约" in a.sentences[1].text


def test_one_place_named_fully_is_still_one_answer(gaz):
    a = ask(gaz, "福州市鼓楼区的家庭医生签约服务有什么要求？", HITS)
    assert len(a.doc_ids) == 1  # not a comparison: one best sentence (the retriever steers to the place)
