"""A plan whose copy hides its place still answers for it.

Web copies of county plans often lose what the catalogue reads a place from: a news item's
portal says only which province's site posted it, a portal prints pinyin after characters
(岳陽(yáng)縣), the header is gone. Staff still ask "卫东区…以什么为目标？" and must get the
passage that says so, not "没有卫东区的文件". Made-up texts; the places are real (the gazetteer
knows only real ones).
"""
from __future__ import annotations

import json
import shutil

import pytest

from eval.judge import normalise
from qa.answering.respond import respond
from qa.corpus.cleaning import clean
from qa.embed.encoder import FakeEncoder
from qa.indexing.script import pinyin_glosses, without_pinyin_glosses
from qa.metadata import extract_metadata
from qa.places import Gazetteer
from qa.records import DocMeta
from qa.search.retriever import Retriever

GLOSSED = ("一、工作目標(biāo)\n夫妻雙方至少有一方具備平頂(dǐng)山市衛(wèi)東區戶籍的新生兒，"
           "免費(fèi)開展耳聾基因篩查。\n")


def test_a_copy_that_glosses_its_characters_is_read_without_the_glosses():
    assert without_pinyin_glosses(GLOSSED).startswith("一、工作目標\n夫妻雙方至少有一方具備平頂山市衛東區戶籍")
    cleaned = clean(GLOSSED)
    assert "(" not in cleaned.text and "衛東區戶籍" in cleaned.text
    # a citation still maps back to the file as received
    a = cleaned.text.index("衛東區")
    start, end = cleaned.source_span(a, a + 3)
    assert GLOSSED[start:end] == "衛(wèi)東區"


def test_a_lone_bracketed_syllable_is_text_not_a_gloss():
    assert pinyin_glosses("选项甲(ā)与乙") == []
    assert without_pinyin_glosses("按(a)项执行(b)项、(c)项") == "按(a)项执行(b)项、(c)项"  # no tone marks


def test_the_catalogue_finds_the_place_a_glossed_copy_names():
    meta = extract_metadata(GLOSSED)
    assert (meta["province"], meta["city"], meta["district"]) == ("河南省", "平顶山市", "卫东区")


def test_the_judge_compares_evidence_without_glosses():
    assert normalise("平頂(dǐng)山市 衛東區") == normalise("平頂山市衛東區")


NEWS = ("踔厉奋发开新局 笃行不怠向未来——2022年卫东区卫生健康工作会议\n"
        "发布时间:2022-06-02作者:佚名 来源:河南省卫生健康委员会\n"
        "3月9日上午,卫东区召开卫生健康工作会议,副区长出席会议并讲话。\n"
        "会议要求,做好今年卫生健康工作要以“强基础、补短板、惠民生”为目标,全力推进健康卫东建设。\n")


def test_a_province_s_portal_posting_a_county_s_news_is_about_the_county():
    meta = extract_metadata(NEWS)
    assert (meta["province"], meta["city"], meta["district"]) == ("河南省", "平顶山市", "卫东区")
    assert meta["sources"]["district"]["from"] == "title"


def _meta(title: str, district: str = "") -> DocMeta:
    return DocMeta(doc_id="news-2022", file="news.txt", title=title, issuer="", province="", city="",
                   district=district, year=2022)


def test_a_county_a_loaded_title_names_is_not_called_unloaded():
    gaz = Gazetteer([_meta("2022年卫东区卫生健康工作会议")])  # no district extracted
    assert gaz.unloaded("卫东区今年以什么为目标？") == []  # 卫东区 names one county in China
    assert gaz.unloaded("朝阳区今年以什么为目标？") == ["朝阳区"]  # no title names it (and several do exist)


def _hidden(tmp_path_factory, county: str):
    from tests.library_fixtures import ROOT

    d = tmp_path_factory.mktemp("hidden") / "corpus"
    shutil.copytree(ROOT / "corpus", d)
    news = (NEWS.replace("——2022年卫东区卫生健康工作会议", "").replace("卫东区", county).replace("卫东", "泾源")
            .replace("副区长", "副县长").replace("河南省", "宁夏回族自治区"))
    (d / "news.txt").write_text(news, encoding="utf-8")
    cat = json.loads((d / "catalog.json").read_text(encoding="utf-8"))
    cat["documents"].append({"doc_id": "news-2022", "file": "news.txt", "title": "踔厉奋发开新局 笃行不怠向未来",
                             "issuer": "", "province": "宁夏回族自治区", "city": "", "district": "", "year": 2022})
    (d / "catalog.json").write_text(json.dumps(cat, ensure_ascii=False), encoding="utf-8")
    return Retriever.load(tmp_path_factory.mktemp("hidden-idx"), d, encoder=FakeEncoder())


@pytest.fixture(scope="module")
def hidden(tmp_path_factory):
    """The shipped plans plus a news copy whose catalogue entry lost its place, and whose title never had it."""
    return _hidden(tmp_path_factory, "泾源县")


@pytest.fixture(scope="module")
def hidden_short(tmp_path_factory):
    """The same copy writing its county only as people say it (泾源, never 泾源县)."""
    return _hidden(tmp_path_factory, "泾源")


def test_a_question_about_a_place_only_the_passages_name_is_answered(hidden):
    a = respond(hidden, "泾源县2022年卫生健康工作以什么为目标？").answer
    assert not a.abstained, a.lead
    assert "没有" not in a.lead.splitlines()[0]
    assert "强基础、补短板、惠民生" in a.sentences[0].text


def test_a_place_no_passage_names_is_still_said_to_be_missing(hidden):
    a = respond(hidden, "隆德县2022年卫生健康工作以什么为目标？").answer
    assert a.abstained and a.lead.startswith("没有固原市隆德县的文件"), a.lead


def test_a_place_the_passages_write_by_its_short_name_is_not_missing(hidden_short):
    a = respond(hidden_short, "泾源县2022年卫生健康工作以什么为目标？").answer
    assert not a.abstained, a.lead
    assert "强基础、补短板、惠民生" in a.sentences[0].text
