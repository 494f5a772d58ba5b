"""qa.grounding: the pure rule that says the question's topic is in no document (hand-computed cases)."""
from __future__ import annotations

from types import SimpleNamespace

from qa.crosslingual import TermGroup
from qa.grounding import (ABSENT_MAX_LEX, ABSENT_MAX_Z_EN, ABSENT_MAX_Z_ZH, EN_NOT_UNDERSTOOD, Evidence, evidence,
                          ungrounded, untranslated)


def ev(**kw) -> Evidence:
    base = dict(script="zh", which_unnamed=False, absent=(), absent_nouns=(), en_coverage=0.0, lex=0.5, dense_z=3.0)
    base.update(kw)
    return Evidence(**base)


def test_every_word_known_is_never_ungrounded():
    # no absent word: even a sentence sharing nothing and far in meaning is left to the other rules
    assert ungrounded(ev(lex=0.0, dense_z=0.0)) == ""


def test_absent_word_and_unrelated_sentence_abstains():
    # 无偿献血 in no passage; the sentence holds 0 of the question's terms; z 3.72 < 3.8
    assert ungrounded(ev(absent=("无偿献血",), lex=0.0, dense_z=3.72)) == "absent topic"


def test_paraphrase_close_in_meaning_is_kept():
    # 精神病人 in no passage, lex 0.13, but the sentence is 4.04 std above the mean: a paraphrase
    assert ungrounded(ev(absent=("精神病人",), lex=0.13, dense_z=4.04)) == ""


def test_sentence_sharing_the_other_words_is_kept():
    # lex exactly at the bar (0.2) keeps the answer: the bar is a strict "fewer than a fifth"
    assert ungrounded(ev(absent=("牙科",), lex=ABSENT_MAX_LEX, dense_z=0.0)) == ""


def test_missing_sentence_vectors_count_as_not_close():
    assert ungrounded(ev(absent=("质子",), lex=0.1, dense_z=None)) == "absent topic"


def test_english_bar_is_lower():
    # z 3.0 is below the Chinese bar (3.8) but above the English one (2.8)
    assert ungrounded(ev(absent=("x",), lex=0.0, dense_z=3.0)) == "absent topic"
    assert ungrounded(ev(script="en", en_coverage=0.8, absent=("proton",), lex=0.0, dense_z=3.0)) == ""
    assert ungrounded(ev(script="en", en_coverage=0.8, absent=("proton",), lex=0.0, dense_z=2.79)) == "absent topic"
    assert ABSENT_MAX_Z_EN < ABSENT_MAX_Z_ZH


def test_english_not_understood():
    assert ungrounded(ev(script="en", en_coverage=0.2, lex=0.9, dense_z=9.0)) == "not understood"
    assert ungrounded(ev(script="en", en_coverage=EN_NOT_UNDERSTOOD, lex=0.9, dense_z=9.0)) == ""
    # Chinese questions have no translation coverage: never "not understood"
    assert ungrounded(ev(script="zh", en_coverage=0.0)) == ""


def test_which_place_about_an_absent_thing():
    # 哪个区提出建设质子治疗中心？ — names no place; 质子 is in no passage, so no place does it
    assert ungrounded(ev(which_unnamed=True, absent=("质子",), absent_nouns=("质子",), lex=0.5, dense_z=9.0)) \
        == "which-place, absent thing"
    # an absent verb (写进) is phrasing, not a thing
    assert ungrounded(ev(which_unnamed=True, absent=("写进",), absent_nouns=(), lex=0.5, dense_z=9.0)) == ""


def _query(text, script="en", places=(), which="", groups=(), en_coverage=0.8):
    return SimpleNamespace(text=text, script=script, places=places, which=which, xling=tuple(groups),
                           en_coverage=en_coverage)


def test_untranslated_words():
    g = TermGroup("lexicon", "therapy", 1.0, (("治疗", 1.0),))
    t = TermGroup("terms", "centre", 1.0, (("中心", 1.0),))  # an embedding neighbour is not a translation
    q = _query("Which district plans to build a proton therapy centre in three years?", groups=[g, t])
    # stop words (which, district, plans, to, a, in), number words (three) and lexicon-covered "therapy" are left out
    assert untranslated(q) == ("build", "proton", "centre", "years")
    assert untranslated(_query("质子治疗", script="zh")) == ()


def test_untranslated_leaves_out_places():
    place = SimpleNamespace(surface="Gulou")
    q = _query("What rabies subsidy does Gulou give?", places=(place,))
    assert untranslated(q) == ("rabies", "subsidy", "give")


def test_evidence_builds_the_signals():
    known = {"卫生", "机构", "治疗", "中心"}.__contains__
    q = _query("哪个区提出建设质子治疗中心？", script="zh", which="one", en_coverage=0.0)
    e = evidence(q, ("质子", "卫生机构"), known, 0.5, 2.77)
    # 卫生机构 = 卫生 + 机构 is new phrasing of known words, not a thing
    assert e.absent == ("质子", "卫生机构") and e.absent_nouns == ("质子",)
    assert e.which_unnamed and e.lex == 0.5 and e.dense_z == 2.77
    named = _query("鼓楼区哪家机构…", script="zh", which="one", places=(SimpleNamespace(surface="鼓楼区"),))
    assert not evidence(named, (), known, 0.5, 1.0).which_unnamed
