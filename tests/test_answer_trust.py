"""What a user sees in an answer (issue "Answers staff can trust"), over the real corpus.

Header and catalogue answers, filters, follow-ups and the layout need no
model (fake encoder); sentence choice, which-district lists and confidence
are checked with the real model (marked `model`).
"""
from __future__ import annotations

import re

from dataclasses import replace

import pytest

from qa.answering.confidence import DIRECT, NOT_FOUND, PARTIAL
from qa.answering.followup import rewrite
from qa.answering.header import value_text
from qa.answering.render import answer_html
from qa.answering.respond import respond, warm

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _romanised(name: str, suffix: str) -> str:
    from pypinyin import lazy_pinyin

    core = name[: -len(suffix)] if name.endswith(suffix) else name
    return "".join(lazy_pinyin(core)).capitalize()


def _first(answer):
    """(text, doc_id of the passage it cites) of the answer's first line."""
    s = answer.sentences[0]
    return s.text, answer.citations[s.n - 1].hit.doc_id


def _place(m) -> str:
    return m.district or m.city


# ---------------------------------------------------------------- header and catalogue questions
@pytest.mark.parametrize("field, template", [
    ("doc_number", "{place}的文号是多少？"),
    ("date", "《{title}》是哪天印发的？"),
    ("signer", "{place}这份文件的签发人是谁？"),
    ("issuer", "{place}这份文件的发文机关是哪个？"),
    ("title", "{place}的文件标题是什么？"),
])
def test_header_questions_are_answered_from_the_catalogue_citing_the_header(fake_retriever, field, template):
    r = fake_retriever
    for m in r.metas.values():
        a = respond(r, template.format(place=_place(m), title=m.title)).answer
        text, doc = _first(a)
        assert doc == m.doc_id, (m.doc_id, a.lead)
        cited = r.chunk(a.citations[0].hit.chunk_id)
        assert cited.kind == "header" or cited.n == min(c.n for c in r.chunks if c.doc_id == m.doc_id)
        value = value_text(field, m, en=False)
        if value:  # the first line states it
            assert value in text and a.confidence == DIRECT and not a.abstained, a.lead
        else:  # a field the header does not state is said to be missing, never guessed
            assert a.abstained and a.confidence == NOT_FOUND and "未载明" in text, a.lead


def test_header_questions_in_english(fake_retriever):
    r = fake_retriever
    for m in r.metas.values():
        if not m.district:
            continue
        place = f"{_romanised(m.district, '区')} District"
        a = respond(r, f"What is the document number of {place}'s plan?").answer
        text, doc = _first(a)
        assert doc == m.doc_id and a.lang == "en"
        assert (m.doc_number in text) if m.doc_number else ("does not state" in text and a.abstained)
        if m.date:
            a = respond(r, f"When was {place}'s plan issued?").answer
            assert value_text("date", m, en=False) in _first(a)[0]


def test_a_question_asking_two_header_facts_gets_both_in_its_order(fake_retriever):
    r = fake_retriever
    m = next(m for m in r.metas.values() if m.issuer and m.date)
    for question, order in ((f"《{m.title}》由哪个机关印发、落款日期是哪天？", ("issuer", "date")),
                            (f"《{m.title}》是哪天印发的？发文机关是哪个？", ("date", "issuer")),
                            (f"Who issued 《{m.title}》, and on what date was it signed?", ("issuer", "date"))):
        a = respond(r, question).answer
        en = a.lang == "en"
        assert len(a.sentences) == 2 and not a.abstained, a.lead
        for s, field in zip(a.sentences, order):
            assert value_text(field, m, en=en) in s.text, (question, a.lead)
        assert a.lead.count("：" if not en else ": ") == 1  # the place is labelled once, on the first line


def test_a_header_question_naming_a_plan_whose_title_says_it_implements_another(fake_retriever):
    # "落实…", "贯彻…" ask which document a plan implements, but inside the plan's own title they only name it
    from qa.answering.header import _without_titles, classify
    from qa.search.query import header_fields

    r = fake_retriever
    m = next(iter(r.metas.values()))
    title = "甲县落实健康乙市行动实施方案"
    assert header_fields(f"{title}是哪天印发的？") == ()  # 落实 read as a cited document's cue
    assert header_fields(_without_titles(f"{title}是哪天印发的？", {"x": replace(m, title=title)})) == ("date",)
    assert classify(r.analyze(f"《{m.title}》是哪天印发的？"), r.metas).fields == ("date",)


def test_catalogue_questions_list_the_loaded_documents(fake_retriever):
    r = fake_retriever
    n = len(r.metas)
    for q in ("一共载入了几份文件？", "How many documents are loaded?"):
        a = respond(r, q).answer
        assert str(n) in a.heading and len(a.sentences) == n and set(a.doc_ids) == set(r.metas)
        assert all(m.title in a.lead for m in r.metas.values())
    year = min(r.years())
    a = respond(r, f"{year}年有哪些文件？").answer
    assert set(a.doc_ids) == {d for d, m in r.metas.items() if m.year == year}
    m = next(iter(r.metas.values()))
    a = respond(r, f"{_place(m)}有哪些文件？").answer
    assert m.doc_id in a.doc_ids and m.title in a.lead


def test_a_content_question_about_documents_is_not_taken_for_the_catalogue(fake_retriever):
    a = respond(fake_retriever, "哪些文件提到医养结合？").answer
    assert "医养结合" in a.lead and not a.heading.startswith("共")


@pytest.mark.parametrize("question", [
    "周村区要求各单位在哪一天前报送？",  # a date, but not the document's
    "鹿城区拍的那部短片叫什么名字？",  # a name, but not the title
    "哪些文件提到医养结合？",
    "文号是什么？",  # no document named: searched like any question
])
def test_content_questions_are_not_header_questions(fake_retriever, question):
    from qa.answering.header import classify

    assert classify(fake_retriever.analyze(question), fake_retriever.metas) is None


# ---------------------------------------------------------------- filters, follow-ups, layout
def test_a_filter_that_hides_the_best_passage_is_stated(fake_retriever):
    r = fake_retriever
    q = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"
    best = r.search(q, k=1)[0]
    other = next(m for m in r.metas.values() if m.district and m.doc_id != best.doc_id)
    a = respond(r, q, district=other.district).answer
    assert f"已按 {other.district} 筛选" in a.lead and best.district in a.note
    assert "已按" in answer_html(a)
    unfiltered = respond(r, q).answer
    assert not unfiltered.note


@pytest.mark.parametrize("previous, follow_up, want_english", [
    ("Which district targets a 4.5% reported prevalence?", "那鼓楼区呢？", True),
    ("哪个区要求严重精神障碍患者报告患病率不低于4.5%？", "What about Gulou?", False),
])
def test_a_follow_up_in_the_other_language_is_searched_in_one_language(fake_retriever, previous, follow_up,
                                                                        want_english):
    searched, note = rewrite(follow_up, [previous], fake_retriever.gazetteer)
    assert note
    assert bool(_CJK.search(searched)) is (not want_english), searched
    assert "Gulou" in searched if want_english else "鼓楼区" in searched


def test_unused_passages_are_shown_apart_below_the_sources(fake_retriever):
    a = respond(fake_retriever, "哪个区要求严重精神障碍患者报告患病率不低于4.5%？", k=3).answer
    html = answer_html(a)
    used = [c for c in a.citations if c.used]
    others = [c for c in a.citations if not c.used]
    assert used and others
    assert html.index("引用段落") < html.index("其他相关段落")
    sources = html[html.index("引用段落"):html.index("其他相关段落")]
    assert all(f"<b>[{c.n}]</b>" in sources for c in used)
    assert not any(f"<b>[{c.n}]</b>" in sources for c in others)


# ---------------------------------------------------------------- the real model
@pytest.mark.model
def test_a_question_no_document_answers_does_not_get_a_direct_answer(real_retriever):
    a = respond(real_retriever, "老人摔倒的问题有什么措施？").answer
    assert a.confidence in (PARTIAL, NOT_FOUND)
    first_line = a.lead.splitlines()[0]
    assert first_line.startswith(("部分相关", "文件中似乎没有")), a.lead


@pytest.mark.model
@pytest.mark.parametrize("question", ["哪个区提出建设儿童友好医院？", "哪个区要开展老年人防跌倒干预？"])
def test_which_district_says_what_no_plan_says_gets_no_district(real_retriever, question):
    # the plans speak of 儿童 and 医院, of 老年人: none says the whole of it, so none is named
    # (judged with the sentence vectors the app loads at start: words alone never refuse)
    warm(real_retriever)
    a = respond(real_retriever, question).answer
    assert a.abstained and not a.districts, a.lead
    assert a.lead.startswith("文件中似乎没有"), a.lead


@pytest.mark.model
def test_which_district_says_what_one_plan_says_names_it(real_retriever):
    warm(real_retriever)
    a = respond(real_retriever, "哪个区要推进互联网医院建设？").answer
    assert not a.abstained and "周村区" in a.lead.splitlines()[0], a.lead


@pytest.mark.model
def test_the_first_line_holds_the_asked_for_figure(real_retriever):
    a = respond(real_retriever, "嘉定区家庭医生签约率目标是多少？").answer
    assert re.search(r"\d+(?:\.\d+)?\s*%", a.sentences[0].text), a.lead


@pytest.mark.model
@pytest.mark.parametrize("question, topic", [
    ("哪些区提到了家庭医生签约服务？", "家庭医生签约"),
    ("哪些区提到了要建设互联网医院？", "互联网医院"),
])
def test_which_district_lists_are_complete_and_precise(real_retriever, question, topic):
    a = respond(real_retriever, question, k=3).answer
    listed = {}
    for s in a.sentences:  # every listed district cites a passage of its own that says it
        h = a.citations[s.n - 1].hit
        assert h.doc_id not in listed and topic in h.text, (s.label, h.text)
        listed[h.doc_id] = h
    assert set(a.doc_ids) == set(listed)
    saying = {c.hit.doc_id for c in a.citations if topic in c.hit.text}
    assert saying <= set(listed), "a district whose shown passage says it is left out of the list"


@pytest.mark.model
def test_a_sentence_with_few_of_the_question_words_is_not_refused_when_vectors_can_judge_it(real_retriever):
    """With sentence vectors, low word overlap alone never refuses an answer (paraphrases and English
    questions share few words with the passage that answers them); the topic and retrieval rules do."""
    from qa.answering.sentvec import for_retriever

    for_retriever(real_retriever).warm()
    # the glossary gives few of these words; the best sentence shares under a fifth of the question's terms
    question = "Which national title in primary-level TCM work must Zhoucun pass a re-examination for?"
    a = respond(real_retriever, question).answer
    assert not a.abstained, a.lead
    assert "中医" in a.sentences[0].text, a.lead


def test_a_partial_answer_says_it_may_answer_not_that_nothing_does():
    """Two partial answers in three are right on the development sets: the caption says the match is loose
    and the source must be checked, not that the documents hold nothing that answers."""
    from qa.answering.confidence import PARTIAL, caption

    for en in (False, True):
        line = caption(PARTIAL, en)
        assert ("may answer" in line) if en else ("可能回答" in line), line
        assert "nothing" not in line and "没有与问题" not in line, line


@pytest.mark.parametrize("lex, z, agree, asked_ok, missing, want", [
    (0.30, 0.0, False, True, (), DIRECT),  # a third of the question's weighted terms
    (0.29, 0.0, False, True, (), PARTIAL),
    (0.20, 0.0, True, True, (), DIRECT),  # fewer, but both retrievers rank the passage in their top 3
    (0.19, 0.0, True, True, (), PARTIAL),
    (0.10, 2.5, False, True, (), DIRECT),  # a paraphrase: few shared words, far closer in meaning than the rest
    (0.09, 9.0, False, True, (), PARTIAL),  # no shared words at all: right half the time, however close
    (0.10, 2.4, False, True, (), PARTIAL),
    (0.10, None, False, True, (), PARTIAL),  # no sentence vectors: the lexical share alone
    (0.90, 5.0, True, False, (), PARTIAL),  # the asked figure or date is not in the sentence
    (0.90, 5.0, True, True, ("方舱",), PARTIAL),  # a question word no document uses
])
def test_confidence_label_thresholds_fit_on_the_development_answers(lex, z, agree, asked_ok, missing, want):
    from qa.answering.confidence import Signals, label

    assert label(Signals(lex, z, agree, asked_ok, missing), abstained=False) == want
    assert label(Signals(lex, z, agree, asked_ok, missing), abstained=True) == NOT_FOUND
