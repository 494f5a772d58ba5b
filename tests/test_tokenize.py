"""qa.indexing.tokenize: edge cases, number rules, domain words, sub-words, speed."""
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from qa.indexing import tokenize as tk_mod
from qa.corpus.cleaning import clean
from qa.indexing.tokenize import (
    TOKENIZER_VERSION,
    canonical_number,
    chinese_number,
    load_domain_dict,
    load_stopwords,
    normalize_text,
    tokenize,
)

CORPUS = sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))


@pytest.fixture(scope="module")
def corpus_texts():
    return [clean(p.read_text(encoding="utf-8")).text for p in CORPUS]


# --- edge cases first ---------------------------------------------------------

@pytest.mark.parametrize("text", ["", " ", "\n\t  \u3000", "\x00\x01\x7f", "\u200b\ufeff", "，。、；！？", "😀🎉"])
def test_nothing_to_index_gives_no_tokens(text):
    assert tokenize(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("药", ["药"]),
        ("x", ["x"]),
        ("7", ["7"]),
        ("的", []),  # a stop-word alone
        ("a", []),  # English stop-word
    ],
)
def test_one_character(text, expected):
    assert tokenize(text) == expected


def test_no_whitespace_or_punctuation_tokens():
    toks = tokenize("加强 发热门诊 建设，\n\n（一）提升 能力。 ——“十四五”  \t 😀 规划")
    assert toks and all(t.strip() == t and t and any(c.isalnum() for c in t) for t in toks)


def test_control_and_zero_width_characters_do_not_split_words():
    assert tokenize("发热\u200b门诊") == tokenize("发热门诊")
    assert tokenize("核酸\x00检测")[:1] == ["核酸"]  # a control char is a space, not a letter


def test_emoji_is_dropped_but_neighbours_kept():
    assert tokenize("疫苗接种😀率") == tokenize("疫苗接种 率")


def test_100k_characters_is_fast(corpus_texts):
    text = ("".join(corpus_texts) * 5)[:100_000]
    tokenize("预热")  # jieba's one-off dictionary load is not what we time
    t0 = time.perf_counter()
    toks = tokenize(text)
    elapsed = time.perf_counter() - t0
    assert len(toks) > 20_000
    assert elapsed < 2.0, f"100k chars took {elapsed:.2f}s"


# --- normalisation helpers ----------------------------------------------------

@pytest.mark.parametrize(
    "raw, norm",
    [
        ("４．５％", "4.5%"),
        ("ＡＢＣ１２３", "ABC123"),
        ("（２０２１）", "(2021)"),
        ("a\u3000b", "a b"),
        ("a\x07b", "a b"),
        ("a\u200bb", "ab"),
        ("①〔2021〕", "①〔2021〕"),  # outside the ranges we normalise: untouched
    ],
)
def test_normalize_text(raw, norm):
    assert normalize_text(raw) == norm


@pytest.mark.parametrize(
    "digits, canon", [("4.5", "4.5"), ("4.50", "4.5"), ("04", "4"), ("0", "0"), ("0.0", "0"), ("2021", "2021"), ("0.05", "0.05")]
)
def test_canonical_number(digits, canon):
    assert canonical_number(digits) == canon


@pytest.mark.parametrize(
    "cn, value",
    [
        ("四点五", "4.5"),
        ("五十", "50"),
        ("八十", "80"),
        ("十五", "15"),  # leading 十 means 一十
        ("一百", "100"),
        ("百", "100"),
        ("一百零五", "105"),  # 100 + 0 + 5
        ("二十五点五", "25.5"),
        ("零点五", "0.5"),
        ("两", "2"),
    ],
)
def test_chinese_number(cn, value):
    assert chinese_number(cn) == value


@pytest.mark.parametrize("bad", ["点五", "五点", "五个"])
def test_chinese_number_rejects_non_numerals(bad):
    with pytest.raises(ValueError):
        chinese_number(bad)


# --- number handling: every spelling of a quantity gives one token -----------

@pytest.mark.parametrize(
    "text, token",
    [
        ("4.5%", "4.5%"),
        ("4.5 %", "4.5%"),
        ("4.5％", "4.5%"),
        ("４．５％", "4.5%"),  # full-width digits and point
        ("百分之四点五", "4.5%"),
        ("百分之4.5", "4.5%"),
        ("百分之 4.5", "4.5%"),
        ("百分之五十", "50%"),
        ("百分之八十", "80%"),
        ("百分之百", "100%"),
        ("4.50%", "4.5%"),
        ("12.8万", "12.8万"),
        ("79元", "79元"),
        ("79 元", "79元"),
        ("７９元", "79元"),
        ("14天", "14天"),
        ("3个月", "3个月"),
        ("2021年", "2021年"),
        ("2021 年", "2021年"),
        ("65周岁", "65岁"),
        ("〔2021〕20号", "〔2021〕20号"),
        ("（2021）20号", "〔2021〕20号"),
        ("(2021)20号", "〔2021〕20号"),
        ("[2021]20号", "〔2021〕20号"),
        ("〔2021〕 20 号", "〔2021〕20号"),
    ],
)
def test_number_spellings_give_one_canonical_token(text, token):
    assert tokenize(text) == [token]


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("90%以上", ["90%", "以上"]),
        ("70%以上可用于", ["70%", "以上", "可", "用于"]),
        ("12.8万名", ["12.8万", "名"]),  # value+magnitude, then the classifier
        ("1.3万人次", ["1.3万", "人次"]),
        ("0-3岁", ["0", "3岁"]),
    ],
)
def test_number_followed_by_more(text, tokens):
    assert tokenize(text) == tokens


def test_magnitude_keeps_value_and_splits_off_classifier():
    assert tokenize("12.8万名65岁以上老年人")[:3] == ["12.8万", "名", "65岁"]
    # 名 is consumed with the number, so it cannot glue onto the next word (名医)
    assert tokenize("1万名医务人员")[:3] == ["1万", "名", "医务人员"]


def test_dates_and_counts_in_running_text():
    toks = tokenize("2021年3月18日，每人每年 79 元，至少14天，为期3个月")
    for t in ["2021年", "3月", "18日", "79元", "14天", "3个月"]:
        assert t in toks


def test_document_number_prefix_is_separate():
    assert tokenize("周卫健字〔2021〕20号")[-1] == "〔2021〕20号"
    assert tokenize("平卫卫（2021）18号")[-1] == "〔2021〕18号"
    # a year range in brackets is not a document number
    assert "〔2019〕" not in "".join(tokenize("（2019-2020年度）"))


def test_query_and_chunk_spellings_meet():
    chunk = tokenize("确保报告患病率不低于4.5%、规范管理率不低于80%")
    query = tokenize("报告患病率要求百分之四点五吗")
    assert "4.5%" in chunk and "4.5%" in query


# --- Latin and mixed script ---------------------------------------------------

@pytest.mark.parametrize(
    "text, tokens",
    [
        ("CMC", ["cmc"]),
        ("COVID-19", ["covid", "19"]),
        ("Hello World", ["hello", "world"]),
        ("5G", ["5g"]),  # digits glued to letters stay one word
        ("20xx年", ["20xx", "年"]),  # masked years are not numbers
    ],
)
def test_latin_lowercased_and_split(text, tokens):
    assert tokenize(text) == tokens


def test_mixed_script():
    assert tokenize("Weidong区4.5%") == ["weidong", "区", "4.5%"]


# --- domain dictionary, stop-words, sub-words ---------------------------------

@pytest.mark.parametrize(
    "word", ["严重精神障碍", "报告患病率", "规范管理率", "规律服药率", "家庭医生签约", "医联体", "医共体",
             "基本公共卫生服务", "发热门诊", "核酸检测", "慢性病综合防控示范区", "医养结合", "安宁疗护",
             "婴幼儿照护", "健康素养", "疫苗接种"]
)
def test_domain_words_kept_whole(word):
    assert tokenize(word)[0] == word


@pytest.mark.parametrize("word, _freq", load_domain_dict())
def test_every_dictionary_word_is_one_token_alone(word, _freq):
    assert tokenize(word)[0] == word


def test_domain_terms_kept_whole_in_corpus(corpus_texts):
    """Each term is a token wherever it occurs, except inside a longer term or
    where two terms overlap (家庭医生签约|服务 vs 签约服务)."""
    overlapping = {"签约服务", "托育服务"}
    terms = [w for w, _ in load_domain_dict()]
    for text in corpus_texts:
        counts = Counter(tokenize(text))
        norm = normalize_text(text)
        for w in terms:
            if w in overlapping:
                continue
            inside = sum(norm.count(longer) * longer.count(w) for longer in terms if longer != w and w in longer)
            assert counts[w] >= norm.count(w) - inside, w


def test_compound_is_followed_by_its_parts():
    assert tokenize("严重精神障碍") == ["严重精神障碍", "严重", "精神障碍", "精神", "障碍"]
    # a query for a part of a compound finds the compound's chunk
    assert set(tokenize("患病率")) <= set(tokenize("报告患病率"))
    assert "示范区" in tokenize("慢性病综合防控示范区")
    # dictionary parts only, not raw bigrams (cut_for_search would give 性病)
    assert "性病" not in tokenize("慢性病综合防控示范区")


def test_stopwords_dropped_content_words_kept():
    toks = tokenize("进一步加强基层的卫生服务和管理，是否有哪些要求？")
    for w in ["进一步", "的", "和", "是否", "哪些"]:
        assert w not in toks
    for w in ["加强", "基层", "卫生", "服务", "管理", "要求"]:
        assert w in toks


def test_stopword_list_is_small_and_has_no_domain_words():
    stop = load_stopwords()
    assert 30 < len(stop) < 150
    assert not stop & {w for w, _ in load_domain_dict()}
    assert not stop & {"加强", "以上", "以下", "不低于", "要求", "工作"}


# --- versioning, concurrency, backends ---------------------------------------

def test_version_embeds_data_fingerprint():
    from qa.indexing.script import SCRIPT_VERSION

    code, data, script = TOKENIZER_VERSION.split("+")
    assert code.startswith("zh-jieba-") and len(data) == 8
    assert script == SCRIPT_VERSION  # a change in how 繁體 text is read is a new tokenizer


def test_traditional_characters_give_the_simplified_tokens():
    """A 繁體 copy of a plan is found by a question in simplified characters."""
    assert tokenize("牡丹江市防治慢性病中長期規劃") == tokenize("牡丹江市防治慢性病中长期规划")
    assert "卫生" in tokenize("衛生健康事業發展")


def test_concurrent_first_use_is_safe(monkeypatch, corpus_texts):
    expected = [tokenize(t[:3000]) for t in corpus_texts]
    # start from an uninitialised module so the threads race on the lazy init
    monkeypatch.setattr(tk_mod, "_tokenizer", None)
    tk_mod._sub_words.cache_clear()
    results = [None] * 8
    barrier = threading.Barrier(len(results))

    def work(i):
        barrier.wait()
        results[i] = [tokenize(t[:3000]) for t in corpus_texts]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_jieba_next_and_jieba_give_identical_tokens(monkeypatch, corpus_texts):
    """jieba-next is used only because it reproduces jieba's tokens."""
    pytest.importorskip("jieba_next")
    import jieba

    with_next = [tokenize(t) for t in corpus_texts]
    monkeypatch.setattr(tk_mod, "_tokenizer", None)
    monkeypatch.setattr(tk_mod, "_new_jieba", lambda: (jieba.Tokenizer(), "jieba"))
    tk_mod._sub_words.cache_clear()
    try:
        with_jieba = [tokenize(t) for t in corpus_texts]
    finally:
        tk_mod._sub_words.cache_clear()  # the next test gets the default backend again
    assert with_next == with_jieba
