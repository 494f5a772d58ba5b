"""Query analysis: places, script, glossary expansion, normalisation."""
import pytest

from qa.corpus.documents import read_catalog
from qa.places import Gazetteer
from qa.search.query import MAX_QUERY_CHARS, analyze, expand_english, normalize_query


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer(read_catalog())


@pytest.mark.parametrize(
    "text, doc_id",
    [
        ("鼓楼区的补助标准是多少", "gulou-2021"),
        ("鼓楼有没有口腔医生培养基地", "gulou-2021"),
        ("What does Gulou plan for dental training?", "gulou-2021"),
        ("福州的工作要点", "gulou-2021"),
        ("Fuzhou", "gulou-2021"),
        ("Pingdingshan targets", "weidong-2021"),
        ("卫东区报告患病率", "weidong-2021"),
        ("What about Weidong District?", "weidong-2021"),
        ("温州市鹿城区", "lucheng-2021"),
        ("Zibo plan", "zhoucun-2021"),
        ("上海那个区的家庭医生签约率", "jiading-2024"),
        ("Jiading", "jiading-2024"),
    ],
)
def test_place_mentions_steer_to_the_document(gaz, text, doc_id):
    q = analyze(text, gaz)
    assert q.place_doc_ids == {doc_id}


def test_two_districts_give_both_documents(gaz):
    q = analyze("鼓楼区和卫东区的补助标准", gaz)
    assert q.place_doc_ids == {"gulou-2021", "weidong-2021"}


def test_district_and_its_own_city_is_one_document(gaz):
    assert analyze("福州市鼓楼区", gaz).place_doc_ids == {"gulou-2021"}


def test_a_city_named_beside_a_district_of_another_city_is_a_place_of_its_own(gaz):
    # "海南州和九龙坡区…分别": the city is compared, not the district's address
    assert analyze("平顶山市和鼓楼区的补助标准分别是多少？", gaz).place_doc_ids == {"weidong-2021", "gulou-2021"}
    assert analyze("Pingdingshan and Gulou: what subsidy standards?", gaz).place_doc_ids == {"weidong-2021", "gulou-2021"}


def test_no_place(gaz):
    q = analyze("哪个区要求报告患病率不低于4.5%？", gaz)
    assert q.place_doc_ids == frozenset() and q.which == "one" and q.script == "zh"
    assert "4.5%" in q.numbers


@pytest.mark.parametrize(
    "text, script",
    [("Which district targets a 4.5% reported prevalence?", "en"), ("报告患病率", "zh"), ("Weidong区4.5%", "zh"),
     ("severe mental disorders 严重", "mixed")],
)
def test_script(gaz, text, script):
    assert analyze(text, gaz).script == script


def test_which_many(gaz):
    assert analyze("哪些区提到了安宁疗护？", gaz).which == "many"
    assert analyze("Which districts mention hospice care?", gaz).which == "many"


def test_glossary_expansion_and_coverage():
    terms, cov = expand_english("Which district targets a 4.5% reported prevalence of severe mental disorders?")
    assert "患病率" in terms and "严重精神障碍" in terms
    assert cov > 0.5
    terms, cov = expand_english("zzz qqq")
    assert terms == () and cov == 0.0


def test_british_spelling_matches_the_glossary():
    us, _ = expand_english("community health service centers")
    gb, _ = expand_english("community health service centres")
    assert us == gb and "社区卫生服务中心" in gb


def test_empty_query_raises(gaz):
    for text in ["", "   ", "\n\t", "\u3000"]:
        with pytest.raises(ValueError, match="empty query"):
            analyze(text, gaz)


def test_normalisation_drops_controls_and_surrogates():
    text, truncated = normalize_query("a\x00b\x07c \ud800 d")
    assert "\x00" not in text and "\ud800" not in text and not truncated


def test_long_query_truncated_with_notice(gaz):
    q = analyze("报告患病率" * 1000, gaz)
    assert q.truncated and len(q.text) == MAX_QUERY_CHARS and q.notes


def test_answer_context_patterns_frame_the_gap():
    import re

    from qa.search.query import answer_context_patterns

    pats = answer_context_patterns("周村区医疗卫生服务建设推进年活动以什么为主线？")
    assert any(re.search(p, "以“补短板、强弱项，抓基础、促提升”为主线") for p in pats)
    assert not any(re.search(p, "以人民健康为中心") for p in pats)
    assert answer_context_patterns("报告患病率") == ()  # no question word, no frame
    # every pattern has at least 4 characters of context around the gap
    assert all(len(re.sub(r"\\.|\.\{1,40\}\?", "", p)) >= 4 for p in pats)
    # "哪两项" asks to name two: the frame is the words around it, not its classifier
    pats = answer_context_patterns("卫东区的指导思想要求认真落实哪两项要求？")
    assert any(re.search(p, "全面贯彻党的精神，认真落实“追赶超越”和“五个扎实”要求，牢固树立新发展理念") for p in pats), pats


def test_which_units_asks_for_places_only_when_no_place_is_named(gaz):
    # "哪些单位提到了…" asks which issuers (places) say something; once a plan is named, "下发给哪些单位"
    # asks for units inside it (its addressees), and the answer is no list of districts
    assert analyze("哪些单位提到了家庭医生签约服务？", gaz).which == "many"
    assert analyze("哪个单位要求报告患病率不低于4.5%？", gaz).which == "one"
    assert analyze("卫东区的计划是下发给哪些单位的？", gaz).which == ""
    assert analyze("卫东区哪家单位牵头推进医养结合？", gaz).which == ""
    assert analyze("卫东区和鼓楼区哪个区提到了安宁疗护？", gaz).which == "one"  # a place word still asks for a place
