"""eval.judge: normalisation and the passage-is-correct rule."""
import pytest

from eval.judge import is_correct, judge, normalise, relevant_ids
from eval.questions import GoldItem
from qa.records import Hit


def hit(chunk_id: str, text: str, doc_id: str | None = None) -> Hit:
    doc_id = doc_id or chunk_id.split("#")[0]
    return Hit(chunk_id=chunk_id, doc_id=doc_id, text=text, score=1.0, section="", district="",
               city="", province="", title="", year=2021, start=0, end=len(text))


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("", ""),
        ("x", "x"),
        (" \n\t\u3000", ""),  # whitespace only, including the ideographic space
        ("安\n\n全感", "安全感"),  # a page break inside a word
        ("**责任领导**：李芒", "责任领导:李芒"),  # bold markers go, full-width colon -> ':'
        ("签约率达到 ４５％", "签约率达到45%"),  # full-width digits and percent sign
        ("平卫卫（2021）18号，", "平卫卫(2021)18号,"),  # mixed full-/half-width punctuation
        ("COVID-19 疫苗 接种", "COVID-19疫苗接种"),  # mixed scripts
        ("a*b", "a*b"),  # a single star is content, not markup
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_normalise_is_idempotent_on_long_text():
    text = "卫生健康 **工作** 要点\n" * 10_000  # ~100k characters
    once = normalise(text)
    assert normalise(once) == once
    assert len(once) == len("卫生健康工作要点") * 10_000


def test_correct_needs_the_gold_document():
    g = GoldItem("gulou-2021", "安全感")
    assert is_correct(hit("gulou-2021#3", "获得感、幸福感、安\n\n全感"), g)
    assert not is_correct(hit("weidong-2021#3", "获得感、幸福感、安全感"), g)


def test_correct_needs_the_whole_evidence():
    g = GoldItem("d", "新建社区卫生服务中心3所")
    assert is_correct(hit("d#1", "今年新建社区卫生服务中心 3 所，改造……"), g)
    assert not is_correct(hit("d#1", "今年新建社区卫生服务中心"), g)  # evidence cut by a chunk boundary


def test_markdown_bold_on_either_side_does_not_matter():
    assert is_correct(hit("d#1", "责任领导：李芒"), GoldItem("d", "**责任领导**：李芒"))
    assert is_correct(hit("d#1", "**责任领导**：李芒"), GoldItem("d", "责任领导:李芒"))


def test_judge_credits_each_gold_item_once():
    gold = [GoldItem("a", "甲"), GoldItem("b", "乙")]
    hits = [hit("a#1", "甲"), hit("a#2", "甲甲"), hit("c#1", "乙"), hit("b#1", "乙")]
    j = judge(hits, gold)
    assert j.covers == ((0,), (0,), (), (1,))
    # a#2 satisfies gold 0 again, so it is not a new relevant item.
    assert j.flags == (True, False, False, True)
    assert j.first_rank == 1
    assert j.found_doc_ids == ("a", "a", None, "b")
    assert j.gold_doc_ids == {"a", "b"} and j.n_gold == 2


def test_one_passage_satisfying_two_gold_items():
    gold = [GoldItem("a", "甲"), GoldItem("a", "乙")]
    j = judge([hit("a#1", "甲和乙")], gold)
    assert j.covers == ((0, 1),)
    assert j.flags == (True,)


def test_judge_without_gold_or_hits():
    assert judge([hit("a#1", "甲")], []).first_rank is None
    assert judge([hit("a#1", "甲")], []).flags == (False,)
    j = judge([], [GoldItem("a", "甲")])
    assert j.first_rank is None and j.flags == ()


def test_relevant_ids_keeps_input_order():
    gold = [GoldItem("a", "甲")]
    passages = [hit("a#2", "甲"), hit("a#1", "乙"), hit("a#0", "甲乙")]
    assert relevant_ids(passages, gold) == ["a#2", "a#0"]
    assert relevant_ids(passages, []) == []
