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
    ("哪些县市把人均预期寿命目标定为80岁？", set()),  # counties and cities alike
    ("哪个单位印发的？", set()),
    ("哪些县（市）有卫生健康规划？", {COUNTY, COUNTY_CITY}),  # the bracket admits county-level cities too
    ("哪些县(市、区)提到了安宁疗护？", {COUNTY, COUNTY_CITY, DISTRICT}),
    ("Which county health commission enforces the rule?", {COUNTY}),
    ("In which city is the district whose plan mentions it?", {DISTRICT}),
    ("Which prefecture's health plan promises a platform?", {PREFECTURE}),
    ("Which districts' plans mention family doctors?", {DISTRICT}),
    # Inner Mongolia's 旗 (a county-level "banner") and 盟 (a prefecture-level "league")
    ("Which banner's health commission completed the project?", {COUNTY}),
    ("Which banners mention food safety?", {COUNTY}),
    ("Which league set up the fund?", {PREFECTURE}),
    ("What is the target?", set()),
])
def test_asked_kinds(question, kinds):
    assert asked_kinds(question) == frozenset(kinds)


@pytest.mark.parametrize("question, which", [
    ("Which banner's health commission completed the project?", "one"), ("Which banners mention food safety?", "many"),
    ("Which prefecture plans a platform?", "one"), ("Which prefectures plan a platform?", "many")])
def test_an_english_banner_or_prefecture_question_asks_for_places(question, which):
    from qa.search.query import analyze

    assert analyze(question, None).which == which


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
    r = Retriever.load(index_dir=combined.index_dir, corpus_dir=combined.corpus_dir,
                               reuse_from=combined.donor)
    hits = r.search("哪个县的卫健委要加强意识形态工作？", k=3)
    assert issuer_kind(hits[0].district, hits[0].city) == COUNTY
    assert r._kind_docs(frozenset({DISTRICT})) and r._kind_docs(frozenset({"nothing"})) == frozenset()
    seed = Retriever.load()
    assert seed._kind_docs(frozenset({DISTRICT})) == frozenset()  # every seed plan is a district's


def test_a_which_county_answer_leads_with_a_county_plans_sentence():
    """"哪个县…" asks for a county: a district's sentence sharing a word more does not answer it."""
    from qa.answering.answer import build_answer
    from qa.corpus.documents import read_catalog
    from qa.places import Gazetteer
    from qa.records import Hit
    from qa.search.query import analyze

    def hit(doc, district, text):
        return Hit(chunk_id=f"{doc}#1", doc_id=doc, text=text, score=1.0, section="一、任务 > 3. 条目",
                   district=district, city="某市", province="某省", title=f"{district}卫生健康工作要点", year=2024,
                   start=0, end=len(text))

    question = "哪个县提出建设紧急医学救援中心？"
    hits = [hit("a-district", "甲区", "建设区紧急医学救援中心和急救站点。"), hit("b-county", "乙县", "加强县紧急医学救援能力建设。")]
    a = build_answer(question, hits, query=analyze(question, Gazetteer(read_catalog())), abstain=False)
    assert a.sentences[0].text.startswith("加强县紧急医学救援"), a.lead
    # asked for a district, the district's sentence leads
    question = question.replace("哪个县", "哪个区")
    a = build_answer(question, hits, query=analyze(question, Gazetteer(read_catalog())), abstain=False)
    assert a.sentences[0].text.startswith("建设区紧急医学救援中心"), a.lead
