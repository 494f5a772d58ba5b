"""Section chunking: the heading ladder, header/table chunks, sizes, offsets.

Short excerpts are copied verbatim from corpus/*.txt; every invariant is then
checked on the five real documents.
"""
from __future__ import annotations

import bisect
import re

import pytest

from qa.corpus.chunking import MAX_CHARS, MIN_CHARS, chunk_corpus, chunk_document, heading_level, heading_text
from qa.corpus.cleaning import clean
from qa.corpus.documents import Document, load_corpus
from qa.records import DocMeta

DOC_IDS = ["gulou-2021", "weidong-2021", "lucheng-2021", "zhoucun-2021", "jiading-2024"]


def make_doc(text: str, *, title: str = "", doc_id: str = "t") -> Document:
    return Document(DocMeta(doc_id=doc_id, file=f"{doc_id}.txt", title=title), text, clean(text))


def paths(chunks) -> list[tuple[str, ...]]:
    return [c.heading_path for c in chunks]


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in load_corpus()}


@pytest.fixture(scope="module")
def chunks(docs):
    return {doc_id: chunk_document(d) for doc_id, d in docs.items()}


# --- heading ladder ---------------------------------------------------------------

@pytest.mark.parametrize("line, level", [
    ("一、科学编制“十四五”卫健专项规划", 0),
    ("十、协调推进其他卫生健康工作", 0),
    ("（一）认真落实各项疫情防控措施，确保疫情防控平稳有序、扎实有效。", 1),
    ("(五) 积极推动中医药产业建设, 实现中医药和医养产业高质量发展。", 1),
    ("(一)突出抓好基层医疗卫生服务体系建设。", 1),
    ("1. 认真编制“十四五”发展规划。", 2),
    ("1.强化疫情防控协同联动。", 2),
    ("38. 加强人大代表建议政协委员提案办理。", 2),
    ("2、加强保障。", 2),
    ("（1）加强组织领导。", 3),
    ("(2)强化督查考核。", 3),
    ("2021年是中国共产党成立100周年", None),
    ("20xx年是“十四五”规划开局之年", None),
    ("12.8万名65岁以上老年人", None),
    ("一是做好科学精准防控。", None),
    ("区卫生健康系统落实突破事项汇总表", None),
    ("", None),
])
def test_heading_level(line, level):
    assert heading_level(line) == level


def test_heading_text_is_the_first_sentence():
    assert heading_text("9. 强化传染病、慢性病、地方病防控。实施扩大国家免疫规划工作。") == "9. 强化传染病、慢性病、地方病防控"
    assert heading_text("一、慎终如始,抓好常态化疫情防控。") == "一、慎终如始,抓好常态化疫情防控"
    long = "（一）" + "认真落实各项疫情防控措施" * 5 + "，确保平稳。"
    assert len(heading_text(long)) <= 46


def test_full_ladder_synthetic():
    """一、 → （一） → 1、 → （1）, the levels the corpus does not fully show."""
    text = ("一、总体要求\n（一）工作目标\n"
            "1、完善机制。建立健全工作机制，确保各项任务落到实处，全面提升服务水平和群众满意度。\n"
            "（1）加强组织领导。成立领导小组，统筹推进各项工作，定期召开会议研究解决重大问题。\n"
            "（2）强化督查考核。将工作纳入年度考核，对工作不力的单位进行通报批评并限期整改。\n"
            "2、加强保障。加大财政投入力度，保障工作经费，为各项工作顺利开展提供坚实的物质基础。\n"
            "（二）重点任务\n"
            "1. 推进体系建设。加快建设覆盖城乡的服务体系，提升基层医疗卫生机构服务能力和水平。\n"
            "二、保障措施\n"
            "加强宣传引导，营造全社会关心支持卫生健康事业发展的良好氛围，确保各项工作取得实效。\n")
    cs = chunk_document(make_doc(text))
    assert paths(cs) == [
        ("一、总体要求", "（一）工作目标", "1、完善机制"),
        ("一、总体要求", "（一）工作目标", "1、完善机制", "（1）加强组织领导"),
        ("一、总体要求", "（一）工作目标", "1、完善机制", "（2）强化督查考核"),
        ("一、总体要求", "（一）工作目标", "2、加强保障"),
        ("一、总体要求", "（二）重点任务", "1. 推进体系建设"),
        ("二、保障措施",),
    ]
    assert cs[1].text.startswith("（1）加强组织领导。成立领导小组")
    assert cs[-1].text.startswith("加强宣传引导")


def test_gulou_excerpt_levels_and_page_break():
    excerpt = ("一、科学编制“十四五”卫健专项规划\n\n"
               "1. 认真编制“十四五”发展规划。编制实施我区“十四五”卫生健康专项规划，不断提高群众健康获得感、安\n\n"
               "全感、幸福感。\n\n二、健全完善疾病预防控制体系\n\n"
               "2. 筑牢常态化疫情防控网。强化卫生应急预案和机制体系建设，进一步健全完善平战结合的公共卫生突发事件应急机制。\n")
    cs = chunk_document(make_doc(excerpt))
    assert paths(cs) == [("一、科学编制“十四五”卫健专项规划", "1. 认真编制“十四五”发展规划"),
                         ("二、健全完善疾病预防控制体系", "2. 筑牢常态化疫情防控网")]
    assert cs[0].text.endswith("获得感、安全感、幸福感。")


def test_weidong_excerpt_item_path():
    excerpt = ("三、深化健康卫东建设\n\n"
               "9. 强化传染病、慢性病、地方病防控。实施扩大国家免疫规划工作，适龄儿童免疫规划疫苗接种率达到90%以上。"
               "规范严重精神障碍患者管理治疗，确保报告患病率不低于4.5%、规范管理率不低于80%、规律服药率不低于50%。\n\n"
               "10. 深入推进职业健康工作。健全完善职业病防治工作机制，充分发挥职业病防治协调议事机构的作用。\n")
    cs = chunk_document(make_doc(excerpt))
    hit = [c for c in cs if "报告患病率不低于4.5%" in c.text]
    assert len(hit) == 1 and hit[0].section == "三、深化健康卫东建设 > 9. 强化传染病、慢性病、地方病防控"


def test_jiading_excerpt_items_without_space():
    excerpt = ("一、加强人物同防，抓实抓细常态化疫情防控\n"
               "1.强化疫情防控协同联动。在区疫情防控工作领导小组的统一指挥下，履行卫生健康部门职责，加强部门协同，做好疫情分析研判。\n"
               "2.加强疫情监测预警。发挥好“监测哨”作用，持续加强发热门诊和社区发热哨点诊室能力建设。\n")
    assert paths(chunk_document(make_doc(excerpt))) == [
        ("一、加强人物同防，抓实抓细常态化疫情防控", "1.强化疫情防控协同联动"),
        ("一、加强人物同防，抓实抓细常态化疫情防控", "2.加强疫情监测预警"),
    ]


def test_zhoucun_excerpt_full_and_half_width_brackets():
    excerpt = ("二、活动内容\n\n"
               "（一）认真落实各项疫情防控措施，确保疫情防控平稳有序、扎实有效。切实将疫情防控放在首要位置，认真落实上级各项疫情防控政策。\n\n"
               "(五) 积极推动中医药产业建设, 实现中医药和医养产业高质量发展。着手制定老年人口发展和医养健康、中医药事业发展两个“十四五”专项规划。\n\n"
               "三、组织保障\n\n"
               "（一）建立健全领导责任机制。为确保医疗卫生服务建设推进年活动扎实推进，区卫生健康局成立领导小组。\n")
    assert paths(chunk_document(make_doc(excerpt))) == [
        ("二、活动内容", "（一）认真落实各项疫情防控措施，确保疫情防控平稳有序、扎实有效"),
        ("二、活动内容", "(五) 积极推动中医药产业建设, 实现中医药和医养产业高质量发展"),
        ("三、组织保障", "（一）建立健全领导责任机制"),
    ]


def test_lucheng_excerpt_enumerations_inline_and_at_line_start():
    excerpt = ("一、慎终如始,抓好常态化疫情防控。\n"
               "坚决守好“外防输入、内防反弹”的大门小门,做到常态化疫情防控不松懈,疫苗接种不断档。一是做好科学精准防控。"
               "完善“x平台+精密智控”数字防控工程,依托区新冠肺炎疫情防控指挥平台。二是持续提升防控能力。组织开展秋冬季新冠疫情防控应急演练x场。\n"
               "二、聚焦重点,统筹推进卫生健康工作。\n"
               "一是基础配套建设加快完善。区人民医院新院x月投用,总建筑面积x.xx万平方米。\n"
               "二是卫健数字化改革初显成效。以数字化改革为牵引,推进智慧健康信息化(一期)项目。\n"
               "四、工作思路\n"
               "(一)突出抓好基层医疗卫生服务体系建设。\n"
               "一是持续加强基层高标准建设。重点补齐基层医疗服务体系短板,推进xx个标准化社区卫生服务中心建设。"
               "二是深入推进数字化改革。持续提升智慧医疗服务能级和水平,推进医联体信息化建设。\n")
    cs = chunk_document(make_doc(excerpt, title="鹿城区卫生健康工作总结和工作思路"))
    assert paths(cs) == [
        ("一、慎终如始,抓好常态化疫情防控",),
        ("一、慎终如始,抓好常态化疫情防控", "一是做好科学精准防控"),
        ("一、慎终如始,抓好常态化疫情防控", "二是持续提升防控能力"),
        ("二、聚焦重点,统筹推进卫生健康工作", "一是基础配套建设加快完善"),
        ("二、聚焦重点,统筹推进卫生健康工作", "二是卫健数字化改革初显成效"),
        ("四、工作思路", "(一)突出抓好基层医疗卫生服务体系建设", "一是持续加强基层高标准建设"),
        ("四、工作思路", "(一)突出抓好基层医疗卫生服务体系建设", "二是深入推进数字化改革"),
    ]
    assert cs[0].text == "坚决守好“外防输入、内防反弹”的大门小门,做到常态化疫情防控不松懈,疫苗接种不断档。"
    assert cs[1].text.startswith("一是做好科学精准防控。") and cs[1].text.endswith("指挥平台。")


def test_a_list_of_one_line_points_stays_one_passage():
    """A news copy's "会议强调，要做好五个方面的工作。一是…。二是…。" with nothing under any point: split one
    per point, each passage would be a bare title, and the last would carry the paragraphs after the list."""
    text = ("甲县召开卫生健康工作会议\n"
            "3月9日上午，甲县召开卫生健康工作会议，总结去年工作，部署今年重点任务。会议强调，今年要做好五个方面的工作。\n"
            "一是平战结合，抓好疫情防控工作。\n二是提质扩能，推动全民健康水平提升行动。\n三是预防为主，推动医防融合发展。\n"
            "四是整合资源，打造五个县域医疗分中心。\n五是坚持党建引领，实施“党建+卫生健康”工程。\n"
            "会议要求，做好今年卫生健康工作要坚持以人民为中心，以健康甲县建设为统领。\n")
    cs = chunk_document(make_doc(text, title="甲县召开卫生健康工作会议"))
    assert not any(c.heading_path[-1:] and c.heading_path[-1].startswith(("一是", "四是", "五是")) for c in cs), paths(cs)
    four = next(c for c in cs if "四是整合资源" in c.text)
    assert "三是预防为主" in four.text and "五是坚持党建引领" in four.text  # the points stay together
    # points with text of their own are still sections (test_lucheng_excerpt_enumerations_inline_and_at_line_start)
    bodies = ("甲县召开卫生健康工作会议\n会议强调，今年要做好三个方面的工作。\n"
              "一是平战结合，抓好疫情防控工作。完善平急转换机制，储备物资。\n"
              "二是提质扩能，推动全民健康水平提升行动。实施十项工程，提升县医院能力。\n"
              "三是预防为主，推动医防融合发展。建立医防协同机制。\n")
    split = chunk_document(make_doc(bodies, title="甲县召开卫生健康工作会议"))
    assert any(c.heading_path[-1:] == ("一是平战结合，抓好疫情防控工作",) for c in split), paths(split)


def test_shi_words_that_are_not_enumerations():
    text = ("一、总体要求\n这是一项长期任务，各单位要高度重视。重点是做好基层工作，关键是落实责任。"
            "一是否定不了的成绩，要看到问题也要看到进步，坚持稳中求进。\n")
    cs = chunk_document(make_doc(text))
    assert len(cs) == 1 and cs[0].heading_path == ("一、总体要求",)


# --- the real documents ------------------------------------------------------------------

@pytest.mark.parametrize("doc_id, must_contain", [
    ("gulou-2021", ["福州市鼓楼区卫生健康局", "鼓卫办〔2021〕3号", "关于印发《2021年鼓楼区卫生健康工作要点》的通知",
                    "各街道（镇）卫健办、社区卫生服务中心：", "2021年3月18日", "2021年鼓楼区卫生健康工作要点"]),
    ("weidong-2021", ["平顶山市卫东区卫生健康委员会文件", "平卫卫（2021）18号", "辖区各级各类医疗卫生机构：",
                      "2021年全区卫生健康重点工作安排"]),
    ("zhoucun-2021", ["淄博市周村区卫生健康局文件", "周卫健字〔2021〕20号", "签发人：李芒", "系统各单位，局机关相关科室：",
                      "2021年2月26日", "周村区医疗卫生服务建设推进年活动实施方案"]),
])
def test_header_chunk_of_its_own(docs, chunks, doc_id, must_contain):
    cs = chunks[doc_id]
    header = cs[0]
    assert header.kind == "header" and header.heading_path == () and header.section == ""
    for s in must_contain:
        assert s in header.text
    assert [c.kind for c in cs].count("header") == 1
    # the header ends with the title line; the preamble is the next chunk, under the title
    assert header.text.endswith(docs[doc_id].meta.title)
    assert cs[1].kind == "body" and cs[1].heading_path == (docs[doc_id].meta.title,)
    number = docs[doc_id].meta.doc_number
    for c in cs[1:]:  # header lines appear in no other chunk
        assert "关于印发" not in c.text and number not in c.text


def test_lucheng_has_no_header_and_starts_under_its_title(docs, chunks):
    cs = chunks["lucheng-2021"]
    assert "header" not in [c.kind for c in cs]
    assert cs[0].heading_path == ("鹿城区卫生健康工作总结和工作思路",)
    assert cs[0].text.startswith("20xx年是“十四五”规划开局之年")


def test_lucheng_enumerations_in_real_document(chunks):
    cs = chunks["lucheng-2021"]
    by_path = {c.heading_path: c for c in cs}
    sec2 = "二、聚焦重点,统筹推进卫生健康工作"
    items = [c.heading_path[1][:2] for c in cs if c.heading_path[0] == sec2]
    assert items == ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是"]  # one line each in the source
    inline = by_path[("一、慎终如始,抓好常态化疫情防控", "二是持续提升防控能力")]  # inside a paragraph
    assert inline.text.startswith("二是持续提升防控能力。组织开展秋冬季新冠疫情防控")
    assert ("三、突出品牌,助推卫健事业高质量发展", "三是暖心家园,精准帮扶") in by_path
    nested = by_path[("四、工作思路", "(一)突出抓好基层医疗卫生服务体系建设", "四是大力度强化人才引进")]
    assert nested.text.startswith("四是大力度强化人才引进。")
    assert cs[-1].text.endswith("积极推进“最多跑一次改革”工作。")  # watermark gone


def test_zhoucun_form_table_is_one_chunk(chunks):
    cs = chunks["zhoucun-2021"]
    tables = [c for c in cs if c.kind == "table"]
    assert len(tables) == 1
    t = tables[0]
    assert t is cs[-1] and t.heading_path == ("区卫生健康系统落实突破事项汇总表",)
    assert t.text.startswith("区卫生健康系统落实突破事项汇总表\n填报单位：\n时间：年月日\n")
    assert "序号\t突破事项名称\t具体内容\t措施\t完成时限\t分管责任人\t责任科室" in t.text
    assert t.text.endswith("请各科室、单位于3月12日前报局办公室公务邮箱。")  # the 注明 note stays with its table
    assert all("\t" not in c.text for c in cs if c.kind != "table")


def test_weidong_heading_path_example(chunks):
    hit = [c for c in chunks["weidong-2021"] if "报告患病率不低于4.5%" in c.text]
    assert len(hit) == 1
    assert hit[0].section == "三、深化健康卫东建设 > 9. 强化传染病、慢性病、地方病防控"


def test_zhoucun_sections_and_bold_markers(chunks):
    cs = chunks["zhoucun-2021"]
    subsections = [c.heading_path[1][:3] for c in cs if c.heading_path[:1] == ("二、活动内容",)]
    assert sorted(set(subsections)) == sorted(["（一）", "（二）", "（三）", "（四）", "(五)", "（六）", "(七)", "(八)", "（九）"])
    assert all("**" not in c.text for c in cs)
    assert any("（责任领导:吕峰、蔡海英, 牵头科室: 基妇科" in c.text for c in cs)


def test_jiading_item_18_and_masks(chunks):
    cs = chunks["jiading-2024"]
    item18 = [c for c in cs if c.heading_path and c.heading_path[-1].startswith("18.")]
    assert len(item18) == 1 and "推进5个区域中心建设" in item18[0].text
    assert sum(c.text.count("**") for c in cs) == 25
    assert cs[0].kind == "header" and cs[0].text == "2024年卫生健康工作要点"  # no scraped summary


@pytest.mark.parametrize("doc_id, n_items", [("gulou-2021", 20), ("weidong-2021", 38), ("jiading-2024", 31)])
def test_every_numbered_item_starts_exactly_one_chunk(chunks, doc_id, n_items):
    starts = [int(re.match(r"\d+", c.heading_path[-1]).group()) for c in chunks[doc_id]
              if c.heading_path and re.match(r"\d+[.．]", c.heading_path[-1]) and c.part == 0]
    assert starts == list(range(1, n_items + 1))


# --- invariants on the real corpus ------------------------------------------------------------

@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_offsets_point_at_the_source(docs, chunks, doc_id):
    d = docs[doc_id]
    for c in chunks[doc_id]:
        assert d.cleaned.project(c.start, c.end) == c.text
        assert d.source[c.start] == c.text[0] and d.source[c.end - 1] == c.text[-1]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_ids_text_and_order(chunks, doc_id):
    cs = chunks[doc_id]
    assert [c.chunk_id for c in cs] == [f"{doc_id}#{n}" for n in range(len(cs))]
    assert [c.n for c in cs] == list(range(len(cs)))
    assert all(c.doc_id == doc_id for c in cs)
    prev_end = 0
    for c in cs:
        assert c.text.strip() == c.text and c.text, c.chunk_id
        assert c.start >= prev_end and c.end > c.start  # in document order, never overlapping
        prev_end = c.end
        if c.kind == "header":
            assert c.heading_path == () and c.n == 0
        else:
            assert c.heading_path and all(p.strip() for p in c.heading_path), c.chunk_id


def test_chunk_ids_unique_across_corpus(docs):
    ids = [c.chunk_id for c in chunk_corpus(list(docs.values()))]
    assert len(ids) == len(set(ids)) > 100


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_no_chunk_crosses_a_top_level_section(docs, chunks, doc_id):
    d = docs[doc_id]
    for c in chunks[doc_id]:
        inner_lines = d.source[c.start:c.end].split("\n")[1:]
        assert not any(heading_level(ln.strip()) == 0 for ln in inner_lines), c.chunk_id
        if c.kind != "body":
            continue
        # its top-level heading is the last 一、 line before it (or, before any, the title)
        before = [ln.strip() for ln in d.source[:c.start + 1].split("\n") if heading_level(ln.strip()) == 0]
        expected_top = heading_text(before[-1]) if before else d.meta.title
        assert c.heading_path[0] == expected_top, c.chunk_id


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_no_text_is_lost(docs, chunks, doc_id):
    """Every cleaned character is in a chunk, except heading lines named in a chunk's path."""
    d = docs[doc_id]
    text, offsets = d.cleaned.text, d.cleaned.offsets
    covered = bytearray(len(text))
    for c in chunks[doc_id]:
        a, b = bisect.bisect_left(offsets, c.start), bisect.bisect_left(offsets, c.end)
        assert text[a:b] == c.text
        covered[a:b] = b"\x01" * (b - a)
    in_paths = {p for c in chunks[doc_id] for p in c.heading_path}
    pos = 0
    for line in text.split("\n"):
        if not all(covered[pos:pos + len(line)]):
            assert not any(covered[pos:pos + len(line)]), f"part of a line lost: {line}"
            assert heading_text(line) in in_paths, f"line lost: {line}"
        pos += len(line) + 1


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_sizes(chunks, doc_id):
    for c in chunks[doc_id]:
        if c.kind != "body":
            continue
        assert len(c.text) <= MAX_CHARS, c.chunk_id
        if len(c.text) < MIN_CHARS:  # only a whole numbered item may be this short
            assert c.parts == 1 and c.text.startswith(c.heading_path[-1][:4]), c.chunk_id


def test_long_zhoucun_sections_are_split_with_heading_repeated(docs, chunks):
    d = docs["zhoucun-2021"]
    groups: dict = {}
    for c in chunks["zhoucun-2021"]:
        groups.setdefault(c.heading_path, []).append(c)
    split = {p: cs for p, cs in groups.items() if len(cs) > 1}
    assert len(split) >= 8
    for path, cs in split.items():
        assert [c.part for c in cs] == list(range(len(cs))) and all(c.parts == len(cs) for c in cs)
        assert [c.n for c in cs] == list(range(cs[0].n, cs[0].n + len(cs)))  # consecutive
        assert all(c.text.endswith(("。", "；", "）", ")")) for c in cs[:-1])  # cut at sentence ends
        whole = re.sub(r"\s", "", d.cleaned.project(cs[0].start, cs[-1].end))
        assert whole == re.sub(r"\s", "", "".join(c.text for c in cs))  # nothing lost or repeated
        assert sum(len(c.text) for c in cs) > MAX_CHARS


def test_chunking_is_deterministic(docs, chunks):
    again = {d.doc_id: chunk_document(d) for d in load_corpus()}
    assert again == chunks
