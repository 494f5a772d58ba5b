"""qa.crosslingual: lexicon, PRF, term table, structured BM25, and English retrieval on a plan
whose wording the glossary has never seen."""
import json
import math
import os
import re

import numpy as np
import pytest

from qa import crosslingual
from qa.indexing import index_store
from qa.indexing.bm25 import BM25Index
from qa.crosslingual import Config, CrossLingual, TermGroup, english, lexicon, prf
from qa.crosslingual.term_table import NONSENSE, TermTable, content_terms
from qa.embed.encoder import FakeEncoder
from qa.search.query import expand_english
from qa.search.retriever import Retriever

# ---------------------------------------------------------------- English words


@pytest.mark.parametrize("a, b", [("vaccination", "vaccines"), ("immunisation", "immunization"), ("centres", "center"),
                                  ("programme", "programs"), ("children", "child"), ("Services", "service")])
def test_stems_meet(a, b):
    assert english.stem(a) == english.stem(b)


@pytest.mark.parametrize("text", ["", "   ", "的", "what is the of", "4.5%"])
def test_no_content_words(text):
    assert english.content_stems(text) == []


def test_content_stems_keep_positions_and_split_hyphens():
    got = english.content_stems("Which district's age-eligible children?")
    assert [(i, s) for i, _, s in got] == [(2, "age"), (3, "elig"), (4, "child")]


# ---------------------------------------------------------------- lexicon (a)


@pytest.mark.parametrize("gloss, key", [
    ("to screen (for disease etc)", ("screen",)),
    ("rabies", ("rabi",)),
    ("Centers for Disease Control and Prevention (CDC)", ("center", "diseas", "control", "prevent")),
    ("CL:個|个[ge4]", None),
    ("see 疾控中心[ji2 kong4 zhong1 xin1]", None),
    ("only child", None),  # dropping "only" would make it mean "child"
    ("to work out", None),  # a phrasal verb is not its verb
    ("a long explanation that is not really a translation", None),
    ("", None),
])
def test_gloss_key(gloss, key):
    assert lexicon.gloss_key(gloss) == key


ENTRIES = [
    ("疫苗", ["vaccine"]),
    ("接种", ["to vaccinate", "to inoculate"]),
    ("预防接种", ["vaccination", "prophylactic inoculation"]),
    ("尘肺", ["pneumoconiosis"]),  # not in the index below
    ("狂犬病", ["rabies"]),
    ("健康", ["health", "healthy"]),
    ("卫生", ["health", "hygiene", "sanitation"]),
    ("保健", ["health care", "health"]),
    ("体质", ["health", "physique", "constitution"]),
    ("狂", ["mad"]),  # one character: too ambiguous, never kept
]
IDF = {"疫苗": 2.0, "接种": 1.5, "预防接种": 3.0, "狂犬病": 4.0, "健康": 0.5, "卫生": 0.7, "保健": 2.5, "体质": 3.5,
       "狂": 5.0}


@pytest.fixture(scope="module")
def lex():
    return lexicon.build(IDF, ENTRIES, max_candidates=2)


def test_lexicon_is_restricted_to_the_index_vocabulary(lex):
    terms = {c.term for _, cands in lex.entries.values() for c in cands}
    assert terms <= set(IDF)
    assert ("pneumoconiosi",) not in lex.entries  # 尘肺 is a dictionary word, but not in this index
    assert ("mad",) not in lex.entries  # single-character headword
    # vaccine / to vaccinate / vaccination share the stem; equal senses (1/√2) go by idf, cap 2
    assert [c.term for c in lex.entries[("vaccin",)][1]] == ["疫苗", "预防接种"]
    assert lexicon.build({}, ENTRIES).entries == {}


def test_lexicon_weights_sense_idf_and_specificity(lex):
    # "health": 健康 has 2 glosses (sense 1/√2), 保健 2 (1/√2), 卫生 3 (1/√3), 体质 3 (1/√3).
    # Ranked by sense, then idf: 保健 (idf 2.5) before 健康 (0.5); cap 2 keeps those two.
    spec, cands = lex.entries[("health",)]
    assert [(c.term, c.weight) for c in cands] == [("保健", 1.0), ("健康", 1.0)]
    # four headwords carry the gloss "health": specificity 1 / (1 + ln 4)
    assert spec == pytest.approx(1 / (1 + math.log(4)), abs=1e-4)
    # "rabies" names one thing: specificity 1
    assert lex.entries[("rabi",)][0] == 1.0
    # sense weight is relative to the key's best candidate: 预防接种 has 2 glosses, 疫苗 1 → 1/√2
    assert dict((c.term, c.weight) for c in lex.entries[("vaccin",)][1])["预防接种"] == pytest.approx(0.7071, abs=1e-4)


def test_lexicon_matches_longest_phrase_first(lex):
    stems = [s for _, _, s in english.content_stems("prophylactic inoculation and health care for rabies")]
    got = [(m.key, m.candidates[0].term) for m in lex.match(stems)]
    assert got == [(("prophylact", "inocul"), "预防接种"), (("health", "care"), "保健"), (("rabi",), "狂犬病")]
    assert lex.match([]) == []


@pytest.mark.parametrize("gloss, key", [
    ("history of the Party", ("parti", "histori")),  # asked as "Party history"
    ("Ministry of Health", ("health", "ministri")),
    ("history of the Party and the state", None),  # more than two nouns: no compound
    ("out of stock", None),
    ("to think of", None),
])
def test_compound_key(gloss, key):
    assert lexicon.compound_key(gloss) == key


def test_an_english_noun_compound_finds_an_of_gloss():
    lex = lexicon.build({"党史": 3.0, "历史": 1.0}, [("党史", ["history of the Party"]), ("历史", ["history"])])
    stems = [s for _, _, s in english.content_stems("Which plans organise Party history study?")]
    assert [m.candidates[0].term for m in lex.match(stems)] == ["党史"]
    # the compound is the same sense written the other way round: 党史 keeps the full weight of its one gloss
    assert lex.entries[("parti", "histori")][1][0].weight == 1.0
    assert lex.entries[("histori", "parti")][1][0].term == "党史"


@pytest.mark.parametrize("question, plan", [
    ("How many hospital beds did the county have at the end of the 10th Five-Year Plan period?", "十五"),
    ("What did the eleventh five-year plan set for township hospitals?", "十一五"),
    ("Which targets does the 14th Five-Year Plan set?", "十四五"),
    ("What does the Ninth Five Year Plan say?", "九五"),
])
def test_a_five_year_plan_named_by_its_ordinal_is_that_plan(question, plan):
    terms, cov = expand_english(question)
    assert terms[0] == plan
    assert plan == "十四五" or "十四五" not in terms  # not the glossary's current plan
    assert cov > 0


@pytest.mark.parametrize("question, term", [
    ("Which district extends long term prescriptions?", "长处方"),  # the glossary writes long-term
    ("How many community-health centres are built?", "社区卫生服务中心"),  # the question hyphenates
])
def test_a_glossary_phrase_is_found_with_or_without_its_hyphens(question, term):
    terms, cov = expand_english(question)
    assert term in terms and cov > 0.5


def test_an_english_ordinal_is_no_figure_of_the_answer():
    from qa.answering.sentlex import query_terms
    from qa.search.query import analyze

    w = query_terms(analyze("How many beds at the end of the 10th Five-Year Plan in 2005?", None))
    assert w["10th"] == 1.0 and w["2005"] > 1.0  # a year is a figure the plan writes; "10th" is a word it never does


def test_lexicon_save_load_roundtrip(lex, tmp_path):
    files = lex.save(tmp_path)
    assert files == [lexicon.FILE]
    assert lexicon.Lexicon.load(tmp_path).entries == lex.entries


def test_shipped_dictionary_knows_domain_words():
    lex = lexicon.build({"狂犬病": 3.0, "疟疾": 3.0, "溺水": 3.0})
    assert lex.entries[("rabi",)][1][0].term == "狂犬病"
    assert lex.entries[("malaria",)][1][0].term == "疟疾"


# ---------------------------------------------------------------- PRF (b)


def test_feedback_terms_hand_computed():
    passages = [["疫苗", "接种", "疫苗"], ["接种", "儿童", "x", "的"]]
    idf = {"疫苗": 2.0, "接种": 1.0, "儿童": 3.0, "x": 9.0, "的": 9.0}
    # 疫苗: 1·2/3·2.0 = 1.3333; 接种: (1·1/3 + 0.5·1/4)·1.0 = 0.4583; 儿童: 0.5·1/4·3.0 = 0.375
    # ("x" is not Chinese, "的" one character: neither is a content term)
    got = prf.feedback_terms(passages, [1.0, 0.5], idf, n_terms=3)
    assert [t for t, _ in got] == ["疫苗", "接种", "儿童"]
    assert [w for _, w in got] == pytest.approx([1.0, 0.4583 / 1.3333, 0.375 / 1.3333], abs=1e-3)
    assert prf.feedback_terms(passages, [1.0, 0.5], idf, n_terms=1) == (("疫苗", 1.0),)


@pytest.mark.parametrize("passages, weights", [([], []), ([[]], [1.0]), ([["疫苗"]], [0.0]), ([["abc", "的"]], [1.0])])
def test_feedback_terms_empty(passages, weights):
    assert prf.feedback_terms(passages, weights, {"疫苗": 1.0}, n_terms=5) == ()


def test_feedback_terms_skip_zero_idf_and_break_ties_by_term():
    got = prf.feedback_terms([["乙乙", "甲甲", "丙丙"]], [1.0], {"乙乙": 1.0, "甲甲": 1.0, "丙丙": 0.0}, n_terms=5)
    assert got == (("乙乙", 1.0), ("甲甲", 1.0))
    assert prf.rank_weights(3) == [1.0, 0.5, pytest.approx(1 / 3)]


def test_feedback_groups_weights():
    cfg = Config(prf_weight=0.5, prf_docs=1, prf_terms=2)
    groups = crosslingual.feedback_groups([["疫苗", "疫苗", "接种"], ["儿童"]], {"疫苗": 1.0, "接种": 1.0, "儿童": 9.0},
                                          config=cfg)
    # only the first passage is used: 疫苗 2/3, 接种 1/3 → relative 1, 0.5 → × 0.5
    assert [(g.terms[0][0], g.weight) for g in groups] == [("疫苗", 0.5), ("接种", 0.25)]


# ---------------------------------------------------------------- structured BM25


def _bm25():
    rows = [["疫苗", "接种"], ["疫苗"], ["接种", "接种"], ["儿童"], ["老年"], ["医院"], ["社区"], ["学校"], ["家庭"]]
    return BM25Index(rows)


def test_grouped_scores_take_the_best_alternative_per_group():
    bm = _bm25()
    groups = [TermGroup("lexicon", "vaccine", 2.0, (("疫苗", 1.0), ("接种", 0.5))), TermGroup("terms", "x", 1.0, (("无", 1.0),))]
    got = crosslingual.grouped_scores(bm, groups)
    v, j = bm.scores(["疫苗"]), bm.scores(["接种"])
    assert np.allclose(got, 2.0 * np.maximum(v, 0.5 * j))  # the unknown term adds nothing
    assert np.allclose(crosslingual.grouped_scores(bm, []), 0.0)


def test_group_coverage_hand_computed():
    idf = {"疫苗": 2.0, "接种": 1.0, "儿童": 3.0}
    groups = [TermGroup("lexicon", "vaccine", 1.0, (("疫苗", 1.0), ("接种", 0.5))),
              TermGroup("lexicon", "child", 0.5, (("儿童", 1.0),))]
    # group 1 counts 1·max(2.0, 0.5) = 2; group 2 counts 0.5·3 = 1.5; total 3.5
    assert crosslingual.group_coverage(groups, {"接种"}, idf) == pytest.approx(0.5 / 3.5)
    assert crosslingual.group_coverage(groups, {"疫苗", "儿童"}, idf) == pytest.approx(1.0)
    assert crosslingual.group_coverage(groups, set(), idf) == 0.0
    assert crosslingual.group_coverage([], {"疫苗"}, idf) == 0.0


# ---------------------------------------------------------------- term table (c)


class _Axes:
    """Encoder placing each known text on its own axis (unknown texts on the last one)."""

    model_id = "axes"
    dim = 4
    AXES = {"疫苗": 0, "vaccine": 0, "儿童": 1, "children": 1, "医院": 2}

    def __init__(self):
        self.calls = 0

    def encode_queries(self, texts):
        self.calls += sum(t not in NONSENSE for t in texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, self.AXES.get(t, 3)] = 1.0
        return out


def test_term_table_nearest_margin():
    enc = _Axes()
    table = TermTable.build(["疫苗", "儿童", "医院"], enc)
    got = table.nearest(enc.encode_queries(["vaccine", "unknown"]), margin=0.5)
    # vaccine: cosine 1 to 疫苗, mean over the table 1/3 → margin 2/3 ≥ 0.5; "unknown" is orthogonal to all
    assert got[0] == [("疫苗", 1.0, pytest.approx(0.6667, abs=1e-4))]
    assert got[1] == []
    assert table.nearest(enc.encode_queries(["vaccine"]), margin=0.7) == [[]]
    assert table.noise == 0.0  # nonsense strings sit on the unknown axis: orthogonal to every term


def test_term_table_maps_nothing_for_an_encoder_without_meaning():
    """FakeEncoder's hashed bigrams give chance margins of ~0.6; the noise level keeps them out."""
    enc = FakeEncoder()
    terms = ["疫苗", "儿童", "医院", "社区卫生", "家庭医生", "慢性病", "高血压", "糖尿病", "健康教育", "老年人"] * 1
    table = TermTable.build(terms, enc)
    assert table.noise > 0.3
    assert table.nearest(enc.encode_queries(["vaccination", "hospital", "targets"]), margin=0.08) == [[], [], []]


def test_term_table_saved_loaded_and_reused(tmp_path):
    enc = _Axes()
    table = TermTable.build(["疫苗", "儿童"], enc)
    assert enc.calls == 2 and table.embedded == 2
    files = table.save(tmp_path)
    loaded = TermTable.load(tmp_path)
    assert loaded.terms == table.terms and loaded.keys == table.keys and loaded.model_id == "axes"
    assert loaded.noise == table.noise
    assert np.allclose(loaded.vectors, table.vectors, atol=1e-3)  # stored as float16
    assert np.load(tmp_path / files[1], allow_pickle=False).dtype == np.float16
    again = TermTable.build(["医院", "疫苗", "儿童"], enc, previous=loaded)
    assert enc.calls == 3 and again.embedded == 1  # only the new term was embedded


def test_content_terms_are_chinese_words_by_frequency():
    rows = [["疫苗", "接种", "4.5%", "a"], ["疫苗", "的"], ["接种疫苗接种疫苗接种"]]
    assert content_terms(rows) == ["疫苗", "接种"]


# ---------------------------------------------------------------- the index


def test_index_stores_the_crosslingual_tables(fake_retriever):
    build = index_store.current_build(fake_retriever._data.directory.parent.parent)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    for name in ("xling_lexicon.jsonl", "xling_terms.json", "xling_term_vectors.npy"):
        assert name in manifest["files"]
    assert manifest["crosslingual_version"] == crosslingual.version()
    assert manifest["crosslingual"]["terms"] == len(fake_retriever.xling.table) > 100
    vocab = fake_retriever._data.bm25.vocab
    assert all(c.term in vocab for _, cands in fake_retriever.xling.lexicon.entries.values() for c in cands)
    loaded = CrossLingual.load(build, manifest["files"])
    assert loaded.lexicon.entries == fake_retriever.xling.lexicon.entries
    assert loaded.table.terms == fake_retriever.xling.table.terms


def test_analyze_adds_groups_only_for_english(fake_retriever):
    q = fake_retriever.analyze("How does Weidong manage hypertension and diabetes?")
    assert any(g.source == "lexicon" for g in q.xling)
    assert {"高血压", "糖尿病"} <= set(q.expansion)
    assert "weidong" not in {g.english.lower() for g in q.xling}  # places are the gazetteer's
    assert fake_retriever.analyze("卫东区如何管理高血压？").xling == ()


# ---------------------------------------------------------------- a plan nobody curated

PLAN = """某县卫生健康局2031年工作安排

一、狂犬病防治
规范狂犬病暴露处置门诊建设，做好犬只免疫和伤口处置，全年狂犬病人间病例保持为零。

二、疟疾和蚊虫防控
开展疟疾输入病例监测，清理积水，降低蚊子密度，防止本地传播。

三、预防学生溺水
暑期前组织中小学开展防溺水安全教育，在水库和河道设置警示牌。

四、高温中暑防范
发布高温预警，为户外劳动者准备防暑药品，提高中暑急救能力。

五、地震应急演练
每年组织一次地震应急演练，检验医疗救援队伍集结和伤员转运能力。

六、院前急救
新增救护车十辆，缩短急救呼叫响应时间，完善急救站点布局。

七、儿童龋齿防治
为适龄儿童免费开展窝沟封闭，减少龋齿发生，建立口腔健康档案。

八、流感监测
扩大流感哨点医院监测范围，按时报送流感样病例数据，做好季节性流感疫苗供应。

九、青少年近视和肥胖
联合教育部门开展视力筛查，控制学生肥胖率，推广课间体育活动。
"""

QUESTIONS = [  # (question, the word the glossary never saw, a phrase of the right section)
    ("How does the county prevent rabies?", "狂犬病", "犬只免疫"),
    ("What is done against malaria and mosquitoes?", "疟疾", "蚊子密度"),
    ("How will students be protected from drowning?", "溺水", "警示牌"),
    ("What measures address heatstroke among outdoor workers?", "中暑", "防暑药品"),
    ("How often is an earthquake drill held?", "地震", "伤员转运"),
    ("How many ambulances will be added?", "救护车", "十辆"),
]


@pytest.fixture(scope="module")
def plan_corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("uncurated")
    (d / "plan.txt").write_text(PLAN, encoding="utf-8")
    (d / "catalog.json").write_text(json.dumps({"format": 1, "documents": [{
        "doc_id": "somecounty-2031", "file": "plan.txt", "title": "某县卫生健康局2031年工作安排", "issuer": "某县卫生健康局",
        "province": "", "city": "", "district": "", "year": 2031}]}, ensure_ascii=False), encoding="utf-8")
    return d


def _section(hit):
    return re.sub(r"\s", "", hit.text)


def test_glossary_never_saw_the_plan():
    for question, word, _ in QUESTIONS:
        assert word not in expand_english(question)[0], question


def test_english_finds_uncurated_plan_through_the_lexicon(plan_corpus, tmp_path):
    """Fake dense vectors carry no English meaning: only the lexicon can bridge."""
    r = Retriever.load(tmp_path / "idx", plan_corpus, encoder=FakeEncoder())
    r.xling_config = Config(glossary=False, lexicon=True, terms=False, prf=False)
    for question, word, phrase in QUESTIONS:
        hits = r.search(question, k=3, mode="bm25")
        assert hits and phrase in _section(hits[0]), (question, [h.text[:20] for h in hits])
    r.xling_config = Config(glossary=False, lexicon=False, terms=False, prf=False)
    assert not any(r.search(q, k=3, mode="bm25") for q, _, _ in QUESTIONS)  # nothing else reached BM25


@pytest.mark.model
def test_english_hybrid_on_uncurated_plan_with_the_real_model(plan_corpus, tmp_path):
    r = Retriever.load(tmp_path / "idx", plan_corpus)
    assert len(r.xling.table) > 50
    first = 0
    for question, word, phrase in QUESTIONS:
        hits = r.search(question, k=3)
        assert any(phrase in _section(h) for h in hits), question
        first += phrase in _section(hits[0])
    assert first >= len(QUESTIONS) - 1
    # the term table maps English words onto the plan's own terms
    q = r.analyze("How often is an earthquake drill held?")
    assert ("terms", "earthquake", "地震") in {(g.source, g.english, g.terms[0][0]) for g in q.xling}


# ---------------------------------------------------------------- the glossary stays general


def test_glossary_is_a_general_domain_layer():
    """Each glossary term is used by ≥ 2 seed documents or is a general dictionary word — none is coined by
    one plan — and none names a catalogued place (places come from the gazetteer)."""
    from pathlib import Path

    import jieba

    from qa.corpus.documents import load_corpus
    from qa.search.query import GLOSSARY_PATH

    texts = [d.cleaned.text for d in load_corpus()]
    general = {zh for zh, _ in lexicon.read_cedict()}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        general.update(line.split(" ", 1)[0] for line in f)
    places = {p for d in load_corpus() for p in (d.meta.city, d.meta.district, d.meta.province) if p}
    places |= {p[:-1] for p in places if len(p) > 2}  # 鼓楼区 → 鼓楼
    bad = []
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        for term in line.split("\t", 1)[1].split():
            in_docs = sum(term in t for t in texts)
            if (in_docs == 1 and term not in general) or any(p in term for p in places):
                bad.append(line)
    assert not bad, bad[:10]


def test_a_question_word_finds_the_senses_of_its_own_lemma_not_of_its_stem():
    entries = [("大楼", ["building (a relatively large, multistory one)"]), ("建设", ["to build", "to construct"]),
               ("围绕", ["to revolve around", "to center on (an issue)"]), ("中心", ["center", "heart", "core"]),
               ("居住", ["to reside", "resident in"]), ("居民", ["resident", "inhabitant"]),
               ("严谨", ["rigorous", "careful"]), ("照护", ["care"]), ("会议", ["meeting"]), ("满足", ["to meet"]),
               ("牢固", ["firm", "secure"])]
    lex = lexicon.build({zh: 2.0 for zh, _ in entries}, entries)

    def senses(question):
        ws = english.content_stems(question)
        return [{c.term for c in m.candidates} for m in lex.match([s for *_, s in ws], [w for _, w, _ in ws])]

    assert senses("Which plans build new centres for residents?") == [{"建设"}, {"中心"}, {"居民"}]
    assert senses("careful care") == [{"严谨"}, {"照护"}]
    # a word of two readings may mean either; an adverb is glossed by its adjective
    assert senses("which meeting") == [{"会议", "满足"}]
    assert senses("firmly") == [{"牢固"}]
    # by stem alone (no words as written) the old senses still meet: "building" is a translation of "build"
    assert "大楼" in {c.term for m in lex.match(["build"]) for c in m.candidates}
    # a word no lemma key holds falls back to its stem
    lex2 = lexicon.build({"接种": 2.0}, [("接种", ["to vaccinate"])])
    ws = english.content_stems("vaccination")
    assert [m.candidates[0].term for m in lex2.match([s for *_, s in ws], [w for _, w, _ in ws])] == ["接种"]


def test_the_lexicon_keeps_its_lemma_keys_through_save_and_load(tmp_path):
    lex = lexicon.build({"会议": 2.0, "满足": 1.0}, [("会议", ["meeting"]), ("满足", ["to meet"])])
    lex.save(tmp_path)
    back = lexicon.Lexicon.load(tmp_path)
    assert back.entries == lex.entries and back.lemma_entries == lex.lemma_entries and back.lemma_entries
