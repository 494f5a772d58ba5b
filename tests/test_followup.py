"""qa.answering.followup.rewrite: follow-up questions become full questions."""
from __future__ import annotations

import pytest

from qa.corpus.documents import read_catalog
from qa.answering.followup import rewrite
from qa.places import Gazetteer
from qa.search.query import analyze

PREV_ZH = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"
PREV_EN = "Which district targets a 4.5% reported prevalence?"
FD_GULOU = "鼓楼区对家庭医生签约有什么要求？"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


@pytest.mark.parametrize("question, history, expected", [
    ("那鼓楼区呢？", [PREV_ZH], "鼓楼区要求严重精神障碍患者报告患病率不低于4.5%？"),
    ("鼓楼区呢", ["卫东区对家庭医生签约有什么要求？"], FD_GULOU),
    ("周村区有没有类似的要求？", [FD_GULOU], "周村区对家庭医生签约有什么要求？"),
    ("那在鹿城呢?", [FD_GULOU], "鹿城区对家庭医生签约有什么要求？"),
    ("其他区呢？", ["福州市鼓楼区对家庭医生签约有什么要求？"], "哪些区对家庭医生签约有什么要求？"),
    ("还有哪些区？", [FD_GULOU], "哪些区对家庭医生签约有什么要求？"),
    ("还有哪些区？", [PREV_ZH], "哪些区要求严重精神障碍患者报告患病率不低于4.5%？"),
    ("What about Gulou?", [PREV_EN], "Gulou targets a 4.5% reported prevalence?"),
    ("And Zhoucun?", ["What does Gulou say about family doctors?"], "What does Zhoucun say about family doctors?"),
    ("Which other districts?", ["What does Gulou say about family doctors?"], "Which districts mention family doctors?"),
    ("Which other districts?", [PREV_EN], "Which districts targets a 4.5% reported prevalence?"),
])
def test_follow_ups_are_rewritten(gaz, question, history, expected):
    searched, note = rewrite(question, history, gaz)
    assert searched == expected
    assert note


def test_the_rewritten_place_question_searches_that_place(gaz):
    searched, _ = rewrite("那鼓楼区呢？", [PREV_ZH], gaz)
    q = analyze(searched, gaz)
    assert q.place_doc_ids == {"gulou-2021"} and q.numbers == ("4.5%",)


def test_widening_makes_a_many_districts_question(gaz):
    for question, prev in [("还有哪些区？", FD_GULOU), ("Which other districts?", PREV_EN)]:
        searched, _ = rewrite(question, [prev], gaz)
        q = analyze(searched, gaz)
        assert q.which == "many" and not q.places


@pytest.mark.parametrize("question", [
    "鹿城区的卫生人才工作有哪些？",
    "哪个区要求报告患病率不低于4.5%？",
    "What does Jiading plan for elderly care?",
    "周村区",  # no history: nothing to follow
])
def test_full_questions_pass_through_unchanged(gaz, question):
    history = [] if question == "周村区" else [FD_GULOU]
    assert rewrite(question, history, gaz) == (question.strip(), "")


def test_a_follow_up_without_history_passes_through(gaz):
    assert rewrite("那鼓楼区呢？", [], gaz) == ("那鼓楼区呢？", "")


def test_a_chain_of_follow_ups_keeps_the_first_topic(gaz):
    history = [PREV_ZH, "那鼓楼区呢？", "周村区呢？"]
    searched, note = rewrite("那嘉定呢？", history, gaz)
    assert searched == "嘉定区要求严重精神障碍患者报告患病率不低于4.5%？"
    assert "嘉定区" in note


@pytest.mark.parametrize("question", ["", "   ", "？", "呢"])
def test_empty_or_punctuation_only(gaz, question):
    searched, note = rewrite(question, [PREV_ZH], gaz)
    assert searched == question.strip() and note == ""


def test_english_note_for_english_follow_up(gaz):
    _, note = rewrite("What about Gulou?", [PREV_EN], gaz)
    assert note.startswith("Follow-up")
