"""A which-places list names the plans that write the question's rare topic word, not those sharing its common words.

Hand-made hits (no index, no model); `idf` stands in for the index's IDF.
"""
from __future__ import annotations

import pytest

from qa.answering.sentlex import LIST_IDF_POWER, topic_specific
from tests.test_answer import ask, gaz, hit  # noqa: F401 (gaz is a fixture)

IDF = {"医共体": 5.0, "推进": 0.2, "建设": 0.2, "卫生院": 1.5, "4.5%": 6.0}


def test_topic_weights_scale_by_idf_to_a_small_power():
    w = topic_specific({"医共体": 3.0, "推进": 2.0, "4.5%": 5.0, "罕见词": 2.0}, lambda t: IDF.get(t, 1.0))
    assert w["医共体"] == pytest.approx(3.0 * 5.0 ** LIST_IDF_POWER)
    assert w["推进"] == pytest.approx(2.0 * 0.2 ** LIST_IDF_POWER)
    assert w["4.5%"] == 5.0  # a number keeps its weight
    assert w["罕见词"] == 2.0  # IDF 1: unchanged


def test_a_word_in_nearly_every_passage_still_counts_a_little():
    w = topic_specific({"工作": 2.0}, lambda t: -0.3)
    assert 0 < w["工作"] < 2.0


QUESTION = "哪些区提出推进医共体建设？"
HITS = [hit("zhoucun-2021#3", "深入开展医共体建设，发挥区人民医院龙头作用。", 3.0),
        hit("weidong-2021#4", "推进乡镇卫生院、村卫生所“三化”建设，提升基层医疗卫生服务能力。", 2.0)]


def test_a_plan_sharing_only_the_common_words_of_a_list_question_is_left_out(gaz):
    a = ask(gaz, QUESTION, HITS, idf=lambda t: IDF.get(t, 1.0))
    assert a.districts == ("淄博市周村区",), a.lead
    # without the index's IDF, 推进 and 建设 weigh as much as 医共体 and the other plan is listed too
    assert ask(gaz, QUESTION, HITS).districts == ("淄博市周村区", "平顶山市卫东区")


def test_an_english_list_question_is_not_reweighted(gaz):
    a = ask(gaz, "Which districts promote the construction of medical alliances?", HITS, idf=lambda t: IDF.get(t, 1.0))
    b = ask(gaz, "Which districts promote the construction of medical alliances?", HITS)
    assert a.districts == b.districts
