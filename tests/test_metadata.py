"""Header rules vs the curated catalogue, and synthetic headers for each rule."""
from __future__ import annotations

from dataclasses import asdict

import pytest

from qa.corpus.documents import load_corpus, read_catalog
from qa.metadata import extract_metadata as _extract
from qa.metadata import title_line_index

FIELDS = ["title", "issuer", "province", "city", "district", "year", "doc_number", "date", "signer"]


def extract_metadata(text: str) -> dict:
    """The fields alone; where each came from is tested in test_metadata_sources.py."""
    found = _extract(text)
    assert isinstance(found.pop("sources"), dict)
    return found


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in load_corpus()}


def test_catalogue_lists_the_five_documents():
    assert [m.doc_id for m in read_catalog()] == [
        "gulou-2021", "weidong-2021", "lucheng-2021", "zhoucun-2021", "jiading-2024"]


@pytest.mark.parametrize("doc_id", ["gulou-2021", "weidong-2021", "lucheng-2021", "zhoucun-2021", "jiading-2024"])
@pytest.mark.parametrize("which", ["source", "cleaned"])
def test_rules_never_contradict_the_catalogue(docs, doc_id, which):
    d = docs[doc_id]
    found = extract_metadata(d.source if which == "source" else d.cleaned.text)
    assert sorted(found) == sorted(FIELDS)
    catalogue = asdict(d.meta)
    for field, value in found.items():
        if value not in ("", None):
            assert value == catalogue[field], field


@pytest.mark.parametrize("doc_id, fields", [
    ("gulou-2021", ["title", "issuer", "province", "city", "district", "year", "doc_number", "date"]),
    ("weidong-2021", ["title", "issuer", "province", "city", "district", "year", "doc_number"]),
    ("zhoucun-2021", FIELDS),
    ("jiading-2024", ["title", "year"]),
])
def test_rules_reproduce_the_catalogue(docs, doc_id, fields):
    d = docs[doc_id]
    found = extract_metadata(d.source)
    catalogue = asdict(d.meta)
    assert {f: found[f] for f in fields} == {f: catalogue[f] for f in fields}


def test_rules_do_not_guess_what_the_text_does_not_say(docs):
    # weidong states no issue date and no signer; lucheng has no header at all (its place
    # comes from the body's own habit of naming itself, nothing else does);
    # jiading's district is masked as **
    weidong = extract_metadata(docs["weidong-2021"].source)
    assert weidong["date"] == "" and weidong["signer"] == ""
    lucheng = extract_metadata(docs["lucheng-2021"].source)
    assert {f: v for f, v in lucheng.items() if f not in ("province", "city", "district")} == {
        f: (None if f == "year" else "") for f in FIELDS if f not in ("province", "city", "district")}
    jiading = extract_metadata(docs["jiading-2024"].source)
    assert jiading["district"] == jiading["city"] == jiading["issuer"] == jiading["doc_number"] == ""


def test_exact_values_for_zhoucun(docs):
    assert extract_metadata(docs["zhoucun-2021"].source) == {
        "title": "周村区医疗卫生服务建设推进年活动实施方案", "issuer": "淄博市周村区卫生健康局", "province": "山东省",
        "city": "淄博市", "district": "周村区", "year": 2021, "doc_number": "周卫健字〔2021〕20号",
        "date": "2021-02-26", "signer": "李芒"}


# --- synthetic headers ------------------------------------------------------------------------------

@pytest.mark.parametrize("line, number", [
    ("鼓卫办〔2021〕3号", "鼓卫办〔2021〕3号"),
    ("平卫卫（2021）18号", "平卫卫（2021）18号"),
    ("丰卫(2021)7号", "丰卫(2021)7号"),
    ("长卫[2021]3号", "长卫[2021]3号"),
    ("周卫健字 〔2021〕 20 号", "周卫健字〔2021〕20号"),
])
def test_doc_number_bracket_styles(line, number):
    found = extract_metadata(f"某某区卫生健康局\n{line}\n")
    assert found["doc_number"] == number
    assert found["year"] == 2021


def test_doc_number_cited_in_prose_is_not_the_documents_own():
    text = "某某区卫生健康局\n根据《关于做好2020年卫生健康工作的通知》（鲁卫发〔2020〕5号）文件精神，结合我区实际，制定本方案。\n"
    found = extract_metadata(text)
    assert found["doc_number"] == "" and found["year"] is None


@pytest.mark.parametrize("line, date", [
    ("2021年3月8日", "2021-03-08"),
    ("2021 年 3 月 8 日", "2021-03-08"),
    ("2020年12月31日", "2020-12-31"),
])
def test_date_line(line, date):
    found = extract_metadata(f"某某区卫生健康局\n{line}\n")
    assert found["date"] == date
    assert found["year"] == int(date[:4])  # the year falls back to the date


def test_date_inside_a_sentence_is_not_the_issue_date():
    assert extract_metadata("请各单位于2021年3月8日前报送材料。\n")["date"] == ""


@pytest.mark.parametrize("line, name", [("签发人：王某", "王某"), ("签发人: 王某某", "王某某"), ("签 发 人：欧阳某某", "欧阳某某")])
def test_signer(line, name):
    assert extract_metadata(f"某某区卫生健康局文件\n某卫〔2021〕1号\n{line}\n")["signer"] == name


@pytest.mark.parametrize("issuer, city, district, province", [
    ("福州市鼓楼区卫生健康局", "福州市", "鼓楼区", "福建省"),
    ("平顶山市卫东区卫生健康委员会文件", "平顶山市", "卫东区", "河南省"),
    ("南阳市西峡县卫生健康局", "南阳市", "西峡县", "河南省"),  # a county
    ("丰县卫生健康局", "徐州市", "丰县", "江苏省"),  # a one-character county name, one in the country
    ("晋城市城区卫生健康局", "晋城市", "城区", "山西省"),  # a one-character district name, several 城区 in China
    ("上海市嘉定区卫生健康委员会", "上海市", "嘉定区", "上海市"),  # a municipality is its own province
    ("北京市海淀区卫生健康委员会文件", "北京市", "海淀区", "北京市"),
    ("浙江省湖州市长兴县卫生健康局", "湖州市", "长兴县", "浙江省"),  # the province written out
    ("广西壮族自治区南宁市青秀区卫生健康局", "南宁市", "青秀区", "广西壮族自治区"),
    ("温州市卫生健康委员会", "温州市", "", "浙江省"),  # a city bureau, no district
    ("伊春市伊美区卫生健康局", "伊春市", "伊美区", "黑龙江省"),  # a district formed in 2019
    ("兰州市城关区卫生健康局", "兰州市", "城关区", "甘肃省"),  # 城关区 is also in 拉萨市: the issuer says which
    ("萧县卫生健康委员会", "宿州市", "萧县", "安徽省"),
    ("黄南州卫生健康委员会", "黄南藏族自治州", "", "青海省"),  # a prefecture-level issuer by its short name
    ("嘉兴市人民政府办公室", "嘉兴市", "", "浙江省"),
    ("上海市徐汇区卫生健康委员会", "上海市", "徐汇区", "上海市"),
])
def test_issuer_place(issuer, city, district, province):
    found = extract_metadata(f"{issuer}\n某卫〔2021〕1号\n")
    assert found["issuer"] == issuer.removesuffix("文件")
    assert (found["city"], found["district"], found["province"]) == (city, district, province)


def test_issuer_signature_without_city_is_used_when_no_full_header():
    found = extract_metadata("鼓楼区卫生健康局\n2021年3月18日\n")
    assert (found["issuer"], found["district"], found["city"], found["province"]) == ("鼓楼区卫生健康局", "鼓楼区", "", "")


def test_title_from_notice_line_and_from_title_line():
    notice = "某某区卫生健康局\n关于印发《2022年全区卫生健康 工作要点》的通知\n各单位：\n"
    assert extract_metadata(notice)["title"] == "2022年全区卫生健康工作要点"
    assert extract_metadata(notice)["year"] == 2022  # from the title when there is no 文号
    assert extract_metadata("2022年疾病预防控制工作计划\n一、总体要求\n")["title"] == "2022年疾病预防控制工作计划"


@pytest.mark.parametrize("text", [
    "一、工作要点\n1. 加强管理。\n",
    "（一）年度工作计划\n",
    "1. 实施方案\n",
    "关于做好2021年卫生健康工作的通知\n",  # 关于… is a notice, not the plan's title
])
def test_headings_and_notices_are_not_titles(text):
    assert extract_metadata(text)["title"] == ""


def test_year_preference_doc_number_then_title_then_date():
    text = "某某区卫生健康局\n某卫〔2020〕9号\n关于印发《2021年工作要点》的通知\n2021年1月5日\n"
    assert extract_metadata(text)["year"] == 2020
    assert extract_metadata("关于印发《2021年工作要点》的通知\n2022年1月5日\n")["year"] == 2021


@pytest.mark.parametrize("text", ["", "   \n\n", "安"])
def test_empty_text(text):  # noqa: D103
    assert extract_metadata(text) == {f: (None if f == "year" else "") for f in FIELDS}


def test_only_the_head_of_the_document_is_read():
    filler = "".join(f"{i}. 第{i}项工作。加强管理，提升服务。\n" for i in range(1, 40))
    assert extract_metadata(filler + "福州市鼓楼区卫生健康局\n鼓卫办〔2021〕3号\n")["issuer"] == ""


def test_title_line_index():
    lines = ["福州市鼓楼区卫生健康局", "关于印发《2021年鼓楼区卫生健康工作要点》的通知", "2021 年鼓楼区卫生健康工作要点"]
    assert title_line_index(lines, "2021年鼓楼区卫生健康工作要点") == 2
    assert title_line_index(lines, "") is None
    assert title_line_index(lines, "别的标题") is None
