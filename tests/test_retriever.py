"""Retriever API over the real corpus (fake encoder unless marked `model`)."""
import dataclasses
from concurrent.futures import ThreadPoolExecutor

import pytest

from qa import Hit, Retriever

Q45 = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"
HIT_FIELDS = {"chunk_id", "doc_id", "text", "score", "section", "district", "city", "province", "title", "year",
              "start", "end"}


def test_public_api_shape(fake_retriever):
    hits = fake_retriever.search(Q45, k=10, district=None, year=None, mode="hybrid")
    assert 1 <= len(hits) <= 10
    h = hits[0]
    assert isinstance(h, Hit) and HIT_FIELDS <= {f.name for f in dataclasses.fields(h)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.score = 1.0  # type: ignore[misc]
    assert h.chunk_id.startswith(h.doc_id + "#")
    scores = [x.score for x in hits]
    assert scores == sorted(scores, reverse=True)


def test_cited_text_is_the_source_span(fake_retriever):
    from qa.corpus.documents import load_corpus

    docs = {d.doc_id: d for d in load_corpus()}
    for h in fake_retriever.search(Q45, k=10):
        assert docs[h.doc_id].cleaned.project(h.start, h.end) == h.text


@pytest.mark.parametrize("mode", Retriever.MODES)
def test_every_mode_finds_the_45_passage(fake_retriever, mode):
    hits = fake_retriever.search(Q45, k=5, mode=mode)
    assert any("报告患病率不低于4.5%" in h.text for h in hits), mode


def test_bm25_mode_is_pure_bm25(fake_retriever):
    hits = fake_retriever.search(Q45, k=3, mode="bm25")
    assert hits[0].doc_id == "weidong-2021" and hits[0].signals["bm25_rank"] == 1


@pytest.mark.parametrize("bad", ["", "   ", "\n", "\u3000\t"])
def test_empty_query_raises_value_error(fake_retriever, bad):
    with pytest.raises(ValueError, match="empty query"):
        fake_retriever.search(bad)


@pytest.mark.parametrize("k", [0, -1, 1.5, "3", True, None])
def test_bad_k(fake_retriever, k):
    with pytest.raises(ValueError, match="k must be"):
        fake_retriever.search(Q45, k=k)


def test_bad_mode(fake_retriever):
    with pytest.raises(ValueError, match="hybrid, bm25, dense"):
        fake_retriever.search(Q45, mode="magic")


def test_district_filter(fake_retriever):
    for district in ["鼓楼区", "鼓楼", "Gulou"]:
        hits = fake_retriever.search("补助标准", k=10, district=district)
        assert hits and {h.district for h in hits} == {"鼓楼区"}


def test_year_and_city_filters(fake_retriever):
    assert {h.year for h in fake_retriever.search("卫生健康工作", k=20, year=2024)} == {2024}
    assert {h.city for h in fake_retriever.search("卫生健康工作", k=20, city="淄博")} == {"淄博市"}


def test_unknown_filter_values_list_the_valid_ones(fake_retriever):
    with pytest.raises(ValueError, match="unknown district '海淀区'.*卫东区"):
        fake_retriever.search(Q45, district="海淀区")
    with pytest.raises(ValueError, match="unknown year.*2021"):
        fake_retriever.search(Q45, year=1999)
    with pytest.raises(ValueError, match="unknown city"):
        fake_retriever.search(Q45, city="北京")


def test_naming_a_district_steers_to_its_document(fake_retriever):
    for q in ["鼓楼区家庭医生签约有什么要求？", "What does Zhoucun plan for family doctors?"]:
        hits = fake_retriever.search(q, k=5)
        assert len({h.doc_id for h in hits}) == 1, q
    assert fake_retriever.search("What does Zhoucun plan for family doctors?", k=1)[0].district == "周村区"


def test_deterministic(fake_retriever):
    a = [(h.chunk_id, h.score) for h in fake_retriever.search("疫苗接种", k=10)]
    b = [(h.chunk_id, h.score) for h in fake_retriever.search("疫苗接种", k=10)]
    assert a == b


def test_thread_safe(fake_retriever):
    queries = ["疫苗接种", Q45, "Which district targets a 4.5% reported prevalence?", "安宁疗护", "79元", "鼓楼区"] * 8
    expected = {q: [(h.chunk_id, h.score) for h in fake_retriever.search(q, k=5)] for q in set(queries)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: (q, [(h.chunk_id, h.score) for h in fake_retriever.search(q, k=5)]), queries))
    for q, result in got:
        assert result == expected[q]


def test_section_chunks_give_the_whole_section(fake_retriever):
    split = next(c for c in fake_retriever.chunks if c.parts > 1)
    parts = fake_retriever.section_chunks(split.chunk_id)
    assert len(parts) == split.parts and [p.part for p in parts] == list(range(split.parts))


def test_abstains_on_a_place_outside_the_corpus(fake_retriever):
    q = "杭州市西湖区2021年卫生健康工作有哪些重点？"
    assert fake_retriever.should_abstain(q, fake_retriever.search(q))
    q2 = "鼓楼区把基本公共卫生服务项目政府补助标准提高到多少？"
    assert not fake_retriever.should_abstain(q2, fake_retriever.search(q2))


@pytest.mark.model
def test_real_model_ranks_45_passage_for_english_question(real_retriever):
    hits = real_retriever.search("Which district targets a 4.5% reported prevalence?", k=3)
    assert any("报告患病率不低于4.5%" in h.text for h in hits)
    assert hits[0].district == "卫东区"


@pytest.mark.model
def test_real_model_chinese_paraphrase(real_retriever):
    hits = real_retriever.search("精神病人的登记比例要达到多少", k=5)
    assert any("报告患病率" in h.text for h in hits)
