"""A plan's contraction of words a question spells out: 医疗…养老…结合 is found where a plan writes 医养结合.

Plans write 医养结合, 医防融合, 家医签约; a staff member asks "推动医疗卫生服务与养老服务相结合".
The contractions come from the index's own vocabulary (qa.search.abbrev), never from a list.
"""
from __future__ import annotations

import pytest

from qa.answering.respond import respond
from qa.answering.sentlex import sentence_score
from qa.indexing.tokenize import word_spans
from qa.search.abbrev import contraction_table, contractions

TABLE = contraction_table(["医养结合", "医防融合", "医疗卫生", "养老服务", "结合", "ab12"])


def found(question: str) -> list[str]:
    return [t for t, _ in contractions(question, word_spans(question), TABLE)]


@pytest.mark.parametrize("question, expected", [
    ("哪些地方提出推动医疗卫生服务与养老服务相结合？", ["医养结合"]),
    ("甲区怎样推进医疗和预防的融合？", ["医防融合"]),
    ("甲区怎样推进医疗服务与养老相结合？", ["医养结合"]),
    ("哪些地方提到医养结合？", []),  # written as the plan writes it: nothing to add
    ("甲区的医疗卫生工作。养老服务怎么结合？", []),  # the words stand in different sentences
    ("甲区养老服务和医疗卫生怎么结合？", []),  # the other order is another contraction (养医), if any
    ("甲区医疗卫生服务有哪些？", []),
])
def test_a_contraction_is_offered_only_for_its_words_in_order_within_a_clause(question, expected):
    assert found(question) == expected


def test_only_four_character_chinese_tokens_are_contractions():
    assert set(TABLE) == {("医", "养"), ("医", "防"), ("医", "疗"), ("养", "老")}


def test_a_sentence_writing_the_contraction_holds_the_words_it_stands_for():
    weights = {"医疗卫生": 4.0, "养老": 2.0}
    implied = {"医疗卫生": ("医养结合",), "养老": ("医养结合",)}
    sentence = "深化医养结合，优化长护险评估流程。"
    assert sentence_score(sentence, weights) == 0.0
    assert sentence_score(sentence, weights, implied) == 1.0


def test_a_question_spelling_out_a_contraction_lists_the_districts_that_write_it(fake_retriever):
    question = "哪些区提出推动医疗卫生服务与养老服务相结合？"
    q = fake_retriever.analyze(question)
    assert [t for t, _ in q.contracted] == ["医养结合"]
    answer = respond(fake_retriever, question).answer
    assert not answer.abstained
    assert len(answer.districts) >= 4
    # every district listed is there for a sentence that writes the contraction
    assert all("医养结合" in s.text for s in answer.sentences), [s.text for s in answer.sentences]
