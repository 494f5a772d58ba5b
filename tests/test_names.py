"""qa.crosslingual.names: local names written in pinyin find the index's Chinese tokens."""
from __future__ import annotations

from qa.crosslingual import CrossLingual, Config, translations
from qa.crosslingual.names import MAX_TERMS, NameIndex, keys, readings

VOCAB = ["徐行", "外冈镇", "南翔", "医院", "社区卫生服务中心", "长安街道", "卫生", "HPV", "4.5%", "上"]


def test_every_reading_of_a_polyphonic_character():
    assert set(readings("徐行")) == {"xuxing", "xuhang", "xuheng"}
    assert "nanxiang" in readings("南翔")  # (南 also reads na: every reading is a key)
    assert readings("长安") == ["changan"]  # a word pypinyin knows as a phrase keeps its phrase reading


def test_keys_drop_a_unit_suffix_and_skip_what_is_not_a_han_word():
    assert set(keys("外冈镇")) == {"waigangzhen", "waigang"}
    assert set(keys("长安街道")) == {"changanjiedao", "changan"}
    assert keys("HPV") == [] and keys("4.5%") == [] and keys("上") == []  # one character: too short to be a name
    assert keys("镇") == []


def test_lookup_takes_capitalised_words_only():
    idx = NameIndex(lambda: VOCAB)
    assert idx.lookup("Xuhang") == ("徐行",)
    assert idx.lookup("Waigang") == ("外冈镇",)
    assert idx.lookup("Nanxiang") == ("南翔",)
    assert idx.lookup("nanxiang") == ()  # an ordinary lower-case word is never a name
    assert idx.lookup("Yiyuan") == ("医院",)
    assert idx.lookup("Xu") == ()  # too short
    assert idx.lookup("Beijing") == ()  # not in this vocabulary


def test_the_index_is_built_once_and_bounded():
    calls = []

    def vocab():
        calls.append(1)
        return ["安" + c for c in "安庵鞍谙氨俺"] * 3  # many tokens read "anan"
    idx = NameIndex(vocab)
    assert len(idx.lookup("Anan")) == MAX_TERMS
    idx.lookup("Anan")
    assert calls == [1]


def test_query_groups_translate_a_pinyin_name_the_lexicon_does_not_know():
    xl = CrossLingual()
    xl.names = NameIndex(lambda: VOCAB)
    groups, coverage = xl.query_groups("new community health centres in Xuhang and Waigang towns")
    named = [g for g in groups if g.source == "names"]
    assert [(g.english, g.terms) for g in named] == [("Xuhang", (("徐行", 1.0),)), ("Waigang", (("外冈镇", 1.0),))]
    assert coverage > 0
    # switched off, nothing is found (the lexicon and term table are absent here)
    assert xl.query_groups("centres in Xuhang", config=Config(names=False))[0] == ()


def test_a_name_counts_as_a_translation_for_the_answer():
    xl = CrossLingual()
    xl.names = NameIndex(lambda: VOCAB)
    groups, _ = xl.query_groups("What is planned for Nanxiang?")

    class Q:
        xling, expansion = groups, ()
    assert "南翔" in translations(Q)


def test_a_persons_name_written_surname_first_finds_the_name_the_text_writes():
    # the tokenizer keeps 赵维强 whole; English writes it as two capitalised words, surname first
    xl = CrossLingual()
    xl.names = NameIndex(lambda: VOCAB + ["赵维强", "于开", "主任"])
    groups, _ = xl.query_groups("What did director Zhao Weiqiang ask Xuhang to do?")
    named = [(g.english, g.terms) for g in groups if g.source == "names"]
    assert ("Zhao Weiqiang", (("赵维强", 1.0),)) in named and ("Xuhang", (("徐行", 1.0),)) in named
    assert [(g.english, g.terms) for g in xl.query_groups("Which bureau is headed by Yu Kai?")[0]
            if g.source == "names"] == [("Yu Kai", (("于开", 1.0),))]
    # two words the text holds apart are no name, and lower-case words never are
    assert xl.names.lookup_person("zhao", "weiqiang") == () and xl.query_groups("Zhao and Weiqiang")[0] == ()
