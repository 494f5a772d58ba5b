"""The kind of unit a 'which X' question asks for, and each issuer's kind (qa.places.level)."""
import pytest

from qa.places.level import CITY, COUNTY, COUNTY_CITY, DISTRICT, PREFECTURE, asked_kinds, issuer_kind


@pytest.mark.parametrize("question, kinds", [
    ("哪个县的卫健委召开了分析研判会？", {COUNTY}),
    ("哪个区投放了毒饵？", {DISTRICT}),
    ("哪个州要巩固医共体成效？", {PREFECTURE}),
    ("哪个市的卫健委提出打造健康共同体？", {CITY, COUNTY_CITY}),
    ("哪个城市的区把补助标准提高了？", {DISTRICT}),  # the issuer is the district of that city
    ("哪些区提到了安宁疗护？", {DISTRICT}),
    ("哪个区县提到了安宁疗护？", set()),  # two kinds at once: no evidence
    ("哪个单位印发的？", set()),
    ("Which county health commission enforces the rule?", {COUNTY}),
    ("In which city is the district whose plan mentions it?", {DISTRICT}),
    ("Which prefecture's health plan promises a platform?", {PREFECTURE}),
    ("Which districts' plans mention family doctors?", {DISTRICT}),
    ("What is the target?", set()),
])
def test_asked_kinds(question, kinds):
    assert asked_kinds(question) == frozenset(kinds)


@pytest.mark.parametrize("district, city, kind", [
    ("徐汇区", "上海市", DISTRICT), ("萧县", "宿州市", COUNTY), ("峨边彝族自治县", "乐山市", COUNTY),
    ("邹城市", "济宁市", COUNTY_CITY), ("", "湖州市", CITY), ("", "黄南藏族自治州", PREFECTURE),
    ("", "阿里地区", PREFECTURE), ("", "", ""),
])
def test_issuer_kind(district, city, kind):
    assert issuer_kind(district, city) == kind


@pytest.mark.model
def test_a_which_county_question_prefers_a_county_plan_on_a_mixed_corpus():
    """On the unseen set (districts, counties, cities, prefectures) a 'which county' question's first passage
    comes from a county's plan, and a corpus of one kind is left alone (no document told apart)."""
    from pathlib import Path

    from eval import extra
    from qa import Retriever

    combined = extra.prepare(Path(__file__).resolve().parents[1] / "eval" / "unseen")
    r = Retriever.load(index_dir=combined.index_dir, corpus_dir=combined.corpus_dir)
    hits = r.search("哪个县的卫健委要加强意识形态工作？", k=3)
    assert issuer_kind(hits[0].district, hits[0].city) == COUNTY
    assert r._kind_docs(frozenset({DISTRICT})) and r._kind_docs(frozenset({"nothing"})) == frozenset()
    seed = Retriever.load()
    assert seed._kind_docs(frozenset({DISTRICT})) == frozenset()  # every seed plan is a district's
