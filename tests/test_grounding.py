"""qa.answering.grounding: the pure rule that says the question's topic is in no document (hand-computed cases)."""
from __future__ import annotations

from types import SimpleNamespace

from qa.crosslingual import TermGroup
from qa.answering.grounding import EN_NOT_UNDERSTOOD, Evidence, evidence, ungrounded, untranslated


def ev(**kw) -> Evidence:
    base = dict(script="zh", which_unnamed=False, absent=(), absent_nouns=(), en_coverage=0.0)
    base.update(kw)
    return Evidence(**base)


def test_an_absent_word_alone_is_not_ungrounded():
    # paraphrases use words no document holds (掏钱, 护牙): an absent word by itself never abstains here
    assert ungrounded(ev()) == ""
    assert ungrounded(ev(absent=("无偿献血",), absent_nouns=("无偿献血",))) == ""
    assert ungrounded(ev(script="en", en_coverage=0.8, absent=("proton",))) == ""


def test_english_not_understood():
    assert ungrounded(ev(script="en", en_coverage=0.2)) == "not understood"
    assert ungrounded(ev(script="en", en_coverage=EN_NOT_UNDERSTOOD)) == ""
    # Chinese questions have no translation coverage: never "not understood"
    assert ungrounded(ev(script="zh", en_coverage=0.0)) == ""


def test_which_place_about_an_absent_thing():
    # 哪个区提出建设质子治疗中心？ — names no place; 质子 is in no passage, so no place does it
    assert ungrounded(ev(which_unnamed=True, absent=("质子",), absent_nouns=("质子",))) == "which-place, absent thing"
    # an absent verb (写进) is phrasing, not a thing
    assert ungrounded(ev(which_unnamed=True, absent=("写进",), absent_nouns=())) == ""


def test_which_place_whose_best_sentence_says_only_part_of_it():
    # 哪个区提出建设儿童友好医院？ — the best sentence holds 儿童 and 医院 (0.50 of the weighted terms) and is
    # not close in meaning (z 3.1): no place says it
    from qa.answering.grounding import WHICH_DENSE_Z, WHICH_MIN_LEX

    partly = dict(which_unnamed=True, which_one=True)
    assert ungrounded(ev(**partly, lex=0.50, dense_z=3.1)) == "which-place, partly said"
    # a near-quote, or a sentence close in meaning, names the place that says it
    assert ungrounded(ev(**partly, lex=WHICH_MIN_LEX, dense_z=1.2)) == ""
    assert ungrounded(ev(**partly, lex=0.39, dense_z=WHICH_DENSE_Z)) == ""
    # without sentence vectors nothing says the sentence is far in meaning: no refusal on words alone
    assert ungrounded(ev(**partly, lex=0.2, dense_z=None)) == ""
    # a place named (卫东区…哪个单位) or an English question: not this rule
    assert ungrounded(ev(which_unnamed=False, which_one=False, lex=0.2, dense_z=1.0)) == ""
    assert ungrounded(ev(**partly, script="en", en_coverage=0.8, lex=0.2, dense_z=1.0)) == ""


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


def test_an_english_word_the_question_also_writes_in_chinese_is_no_absent_thing():
    # "a rodent-borne disease (鼠防) monitoring point": 啮齿动物 (rodent) is in no plan, but the asker named the
    # topic in the plans' own word, which the passages found write (the tokenizer glued it: 镇鼠防)
    text = "Which banner completed a rodent-borne disease (鼠防) monitoring point project?"
    q = _query(text, script="mixed", which="one")
    known = {"监测点", "项目"}.__contains__
    assert evidence(q, (), known).things_en == ("rodent",)
    assert evidence(q, (), known, said=lambda words: words == "鼠防").things_en == ()
    assert evidence(q, (), {"鼠防"}.__contains__).things_en == ()  # or the index holds it as a word
    assert evidence(_query(text.replace(" (鼠防)", ""), which="one"), (), known, said=lambda w: True).things_en == (
        "rodent",)  # a question without Chinese gives nothing to find


def test_evidence_builds_the_signals():
    known = {"卫生", "机构", "治疗", "中心"}.__contains__
    q = _query("哪个区提出建设质子治疗中心？", script="zh", which="one", en_coverage=0.0)
    e = evidence(q, ("质子", "卫生机构"), known)
    # 卫生机构 = 卫生 + 机构 is new phrasing of known words, not a thing
    assert e.absent == ("质子", "卫生机构") and e.absent_nouns == ("质子",)
    assert e.which_unnamed
    named = _query("鼓楼区哪家机构…", script="zh", which="one", places=(SimpleNamespace(surface="鼓楼区"),))
    assert not evidence(named, (), known).which_unnamed
