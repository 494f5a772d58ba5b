"""`python -m qa add`: new documents of every accepted type, and bad files rejected
with nothing in the corpus changed.  Every test works on a copy of corpus/.
"""
from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qa.corpus.ingest
from qa.corpus.chunking import chunk_document
from qa.cli.main import main
from qa.corpus.documents import DEFAULT_CORPUS, corpus_hash, load_corpus, load_document, read_catalog
from qa.corpus.ingest import IngestError, add_documents, extract_text

REPO = Path(__file__).resolve().parent.parent

# A complete small notice: header, title, two sections, the page-break word "安\n\n全感".
NOTICE = """南阳市西峡县卫生健康局

西卫〔2022〕5号

关于印发《2022年全县卫生健康工作要点》的通知

各乡镇卫生院，县直各医疗卫生单位：

现将《2022年全县卫生健康工作要点》印发给你们，请结合实际，认真贯彻落实。

西峡县卫生健康局
2022年3月8日

2022年全县卫生健康工作要点

2022年全县卫生健康工作的总体思路是：坚持以人民健康为中心，推动卫生健康事业高质量发展。

一、加强疾病预防控制

1. 完善疾控体系。加强县疾控中心实验室建设，提升核酸检测能力，不断提高群众健康获得感、安

全感、幸福感。

2. 做好免疫规划。适龄儿童免疫规划疫苗接种率保持在90%以上，严格落实疫苗全程追溯。

二、提升基层服务能力

3. 推进紧密型县域医共体建设。完善分级诊疗制度，提升乡镇卫生院服务能力，让群众就近看病。
"""
TITLE = "2022年全县卫生健康工作要点"


def snapshot(directory: Path) -> dict[str, str]:
    """sha256 of every file under directory, hidden ones included."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, target)
    return target


@pytest.fixture
def inbox(tmp_path) -> Path:
    d = tmp_path / "inbox"
    d.mkdir()
    return d


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    for line in ["淄博市周村区卫生健康局", "周卫健字〔2022〕8号", "关于印发《周村区2022年基层卫生工作方案》的通知",
                 "各镇（街道）卫生院：", "2022年4月1日", "周村区2022年基层卫生工作方案",
                 "一、总体要求", "1. 完善基层服务网络。推进镇卫生院提档升级，加强村卫生室标准化建设，方便群众就近就医。",
                 "重点任务清单"]:
        d.add_paragraph(line)
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("序号", "任务", "责任单位"), ("1", "村卫生室\n建设", "基妇科"), ("2", "家庭医生签约", "医政科")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for line in ["二、保障措施", "2. 加强经费保障。将基层卫生工作经费纳入年度预算，确保各项任务按时保质完成。"]:
        d.add_paragraph(line)
    d.save(str(path))
    return path


def make_pdf(pages: list[list[str]], *, text_layer: bool = True) -> bytes:
    """A minimal hand-written PDF, one text line per entry.

    Chinese needs no embedded font: the text is drawn in Adobe's STSong-Light
    through the predefined UniGB-UCS2-H CMap (codes are UTF-16BE), which a
    viewer substitutes and pypdf decodes.  Without a text layer a page only
    holds a grey rectangle, like a scan.
    """
    objs: dict[int, bytes] = {}
    page_ids = [5 + 2 * i for i in range(len(pages))]
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join(f"{p} 0 R" for p in page_ids).encode(), len(pages))
    objs[3] = b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>"
    objs[4] = (b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
               b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /DW 1000 >>")
    for pid, lines in zip(page_ids, pages):
        if text_layer:
            ops = [b"BT /F1 12 Tf 16 TL 40 800 Td"]
            ops += [b"<" + ln.encode("utf-16-be").hex().encode() + b"> Tj T*" for ln in lines]
            ops.append(b"ET")
        else:
            ops = [b"0.5 g 40 700 200 100 re f"]
        stream = b"\n".join(ops)
        objs[pid] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                     b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (pid + 1))
        objs[pid + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objs[num])
    xref, size = len(out), max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[num] for num in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


PDF_PAGES = [
    ["福州市鼓楼区卫生健康局", "鼓卫办〔2022〕7号", "关于印发《2022年鼓楼区健康促进工作计划》的通知", "各街道卫健办：",
     "2022年5月6日", "2022年鼓楼区健康促进工作计划", "一、工作目标",
     "1. 提升健康素养。居民健康素养水平达到30%以上，让群众有获得感、安"],
    ["全感。", "二、主要措施", "2. 开展健康教育。每个社区每年至少举办六次健康讲座，覆盖辖区重点人群。"],
]


def assert_added(meta, corpus: Path, *, title: str, n_before: int = 5):
    """The new entry is catalogued, stored as UTF-8 text and chunks."""
    catalog = read_catalog(corpus)
    assert len(catalog) == n_before + 1 and catalog[-1] == meta
    assert meta.title == title
    stored = corpus / meta.file
    assert stored.exists() and meta.file.startswith(f"{n_before:03d}_") and meta.file.endswith(".txt")
    stored.read_text(encoding="utf-8")
    chunks = chunk_document(load_document(meta, corpus))
    assert chunks and all(c.doc_id == meta.doc_id for c in chunks)
    return chunks


# --- accepted files ------------------------------------------------------------------------------

def test_add_utf8_txt(corpus, inbox):
    before_hash = corpus_hash(corpus)
    old_entries = read_catalog(corpus)
    p = inbox / "xixia.txt"
    p.write_text(NOTICE, encoding="utf-8")
    [meta] = add_documents([p], corpus)
    chunks = assert_added(meta, corpus, title=TITLE)
    assert (meta.issuer, meta.city, meta.district, meta.province) == ("南阳市西峡县卫生健康局", "南阳市", "西峡县", "河南省")
    assert (meta.year, meta.doc_number, meta.date, meta.signer) == (2022, "西卫〔2022〕5号", "2022-03-08", "")
    assert meta.doc_id.startswith("doc-") and meta.doc_id.endswith("-2022")
    assert (corpus / meta.file).read_text(encoding="utf-8") == NOTICE
    assert read_catalog(corpus)[:5] == old_entries
    assert corpus_hash(corpus) != before_hash
    assert chunks[0].kind == "header" and chunks[0].text.endswith(TITLE)
    assert [c.section for c in chunks[1:]] == [
        TITLE, "一、加强疾病预防控制 > 1. 完善疾控体系", "一、加强疾病预防控制 > 2. 做好免疫规划",
        "二、提升基层服务能力 > 3. 推进紧密型县域医共体建设"]
    assert "获得感、安全感、幸福感。" in chunks[2].text
    assert len(load_corpus(corpus)) == 6


def test_add_gb18030_txt(corpus, inbox):
    p = inbox / "xixia-gbk.txt"
    p.write_bytes(NOTICE.encode("gb18030"))
    [meta] = add_documents([p], corpus)
    assert_added(meta, corpus, title=TITLE)
    assert (corpus / meta.file).read_text(encoding="utf-8") == NOTICE  # stored as UTF-8


def test_add_utf8_with_bom_and_crlf(corpus, inbox):
    p = inbox / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbf" + NOTICE.replace("\n", "\r\n").encode("utf-8"))
    [meta] = add_documents([p], corpus)
    assert (corpus / meta.file).read_text(encoding="utf-8") == NOTICE


def test_add_markdown(corpus, inbox):
    md = ("# 2022年全县卫生健康工作要点\n\n"
          "## 一、加强疾病预防控制\n\n"
          "1. 完善疾控体系。加强县疾控中心实验室建设，提升核酸检测能力，**责任单位：**县疾控中心。\n\n"
          "## 二、提升基层服务能力\n\n"
          "2. 推进医共体建设。完善分级诊疗制度，提升乡镇卫生院服务能力，让群众就近看病。\n")
    p = inbox / "plan.md"
    p.write_text(md, encoding="utf-8")
    [meta] = add_documents([p], corpus)
    chunks = assert_added(meta, corpus, title=TITLE)
    assert meta.year == 2022
    assert [c.section for c in chunks if c.kind == "body"] == [
        "一、加强疾病预防控制 > 1. 完善疾控体系", "二、提升基层服务能力 > 2. 推进医共体建设"]
    assert "责任单位：县疾控中心" in chunks[1].text and "#" not in "".join(c.text for c in chunks)


def test_add_docx_with_table_in_place(corpus, inbox):
    p = make_docx(inbox / "plan.docx")
    [meta] = add_documents([p], corpus)
    chunks = assert_added(meta, corpus, title="周村区2022年基层卫生工作方案")
    assert (meta.issuer, meta.district, meta.province, meta.doc_number, meta.date) == (
        "淄博市周村区卫生健康局", "周村区", "山东省", "周卫健字〔2022〕8号", "2022-04-01")
    stored = (corpus / meta.file).read_text(encoding="utf-8")
    # the table sits where it is in the document, between the two sections
    assert stored.index("一、总体要求") < stored.index("序号\t任务\t责任单位") < stored.index("二、保障措施")
    assert [(c.kind, c.section) for c in chunks] == [
        ("header", ""),
        ("body", "一、总体要求 > 1. 完善基层服务网络"),
        ("table", "重点任务清单"),
        ("body", "二、保障措施 > 2. 加强经费保障"),
    ]
    # a cell holding two paragraphs stays on its row
    assert chunks[2].text == "重点任务清单\n序号\t任务\t责任单位\n1\t村卫生室建设\t基妇科\n2\t家庭医生签约\t医政科"


def test_add_text_pdf(corpus, inbox):
    p = inbox / "plan.pdf"
    p.write_bytes(make_pdf(PDF_PAGES))
    [meta] = add_documents([p], corpus)
    chunks = assert_added(meta, corpus, title="2022年鼓楼区健康促进工作计划")
    assert (meta.issuer, meta.doc_number, meta.date, meta.year) == ("福州市鼓楼区卫生健康局", "鼓卫办〔2022〕7号", "2022-05-06", 2022)
    assert [c.section for c in chunks if c.kind == "body"] == [
        "一、工作目标 > 1. 提升健康素养", "二、主要措施 > 2. 开展健康教育"]
    assert "让群众有获得感、安全感。" in chunks[1].text  # the word cut by the page break is whole again


def test_add_two_files_in_one_batch(corpus, inbox):
    a, b = inbox / "a.txt", inbox / "b.docx"
    a.write_text(NOTICE, encoding="utf-8")
    make_docx(b)
    metas = add_documents([a, b], corpus)
    assert [m.file[:4] for m in metas] == ["005_", "006_"]
    assert len({m.doc_id for m in metas}) == 2
    assert [m.doc_id for m in read_catalog(corpus)][5:] == [m.doc_id for m in metas]


def test_cli_add(corpus, inbox, capsys):
    p = inbox / "xixia.txt"
    p.write_text(NOTICE, encoding="utf-8")
    assert main(["--corpus", str(corpus), "add", str(p)]) == 0
    out = capsys.readouterr().out
    meta = read_catalog(corpus)[-1]
    assert f"added {meta.doc_id}: {meta.file}" in out and "南阳市西峡县" in out and TITLE in out and "5 chunks" in out


# --- rejected files: an error naming the file, nothing changed ------------------------------------

def _random_bytes(n: int) -> bytes:
    return random.Random(0).randbytes(n)


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

BAD_FILES = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"   \n\n\t \r\n  \xe3\x80\x80\n", "no usable text"),
    "short.txt": ("一、总体要求".encode(), "no usable text"),
    "random.txt": (_random_bytes(4096), "binary|not UTF-8"),
    "image.txt": (PNG, "binary"),
    "setup.exe": (b"MZ\x90\x00" + _random_bytes(512), "unsupported type .exe"),
    "photo.jpg": (b"\xff\xd8\xff\xe0" + _random_bytes(512), "unsupported type .jpg"),
    "noext": (NOTICE.encode(), r"unsupported type \(none\)"),
    "broken.docx": (b"PK\x03\x04" + _random_bytes(300), "cannot be read as .docx"),
    "notzip.docx": (NOTICE.encode(), "cannot be read as .docx"),
    "scan.pdf": (make_pdf([["x"]], text_layer=False), "no text layer"),
    "broken.pdf": (b"%PDF-1.4\n" + _random_bytes(300), "cannot be read as .pdf|no text layer"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_rejected_and_nothing_changed(corpus, inbox, name):
    content, reason = BAD_FILES[name]
    p = inbox / name
    p.write_bytes(content)
    before = snapshot(corpus)
    with pytest.raises(IngestError, match=reason) as err:
        add_documents([p], corpus)
    assert str(p) in str(err.value) and "nothing was added" in str(err.value)
    assert snapshot(corpus) == before


def test_oversized_file_rejected(corpus, inbox, monkeypatch):
    monkeypatch.setattr(qa.corpus.ingest, "MAX_BYTES", 500)
    p = inbox / "big.txt"
    p.write_text(NOTICE, encoding="utf-8")  # about 960 bytes
    before = snapshot(corpus)
    with pytest.raises(IngestError, match="over the") as err:
        add_documents([p], corpus)
    assert str(p) in str(err.value)
    assert snapshot(corpus) == before


def test_missing_file_and_directory_rejected(corpus, inbox):
    before = snapshot(corpus)
    for p in [inbox / "nope.txt", inbox]:
        with pytest.raises(IngestError, match="no such file") as err:
            add_documents([p], corpus)
        assert str(p) in str(err.value)
    assert snapshot(corpus) == before


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_duplicate_of_existing_document_rejected(corpus, inbox, encoding):
    text = (DEFAULT_CORPUS / "003_92c44a33aa825fc9.txt").read_text(encoding="utf-8")
    p = inbox / "zhoucun-again.txt"
    p.write_bytes(text.encode(encoding))
    before = snapshot(corpus)
    with pytest.raises(IngestError, match="already in the corpus as zhoucun-2021") as err:
        add_documents([p], corpus)
    assert str(p) in str(err.value)
    assert snapshot(corpus) == before


def test_same_document_twice_in_one_batch_rejected(corpus, inbox):
    a, b = inbox / "a.txt", inbox / "b.txt"
    a.write_text(NOTICE, encoding="utf-8")
    b.write_bytes(NOTICE.encode("gb18030"))
    before = snapshot(corpus)
    with pytest.raises(IngestError, match="same text as") as err:
        add_documents([a, b], corpus)
    assert f"{b}: same text as {a}" in str(err.value)
    assert snapshot(corpus) == before


def test_batch_with_one_bad_file_adds_nothing(corpus, inbox):
    good, bad, worse = inbox / "good.txt", inbox / "bad.txt", inbox / "worse.jpg"
    good.write_text(NOTICE, encoding="utf-8")
    bad.write_bytes(b"")
    worse.write_bytes(b"\xff\xd8\xff")
    before = snapshot(corpus)
    with pytest.raises(IngestError) as err:
        add_documents([good, bad, worse], corpus)
    message = str(err.value)
    assert str(bad) in message and str(worse) in message and str(good) not in message  # every bad file, named
    assert snapshot(corpus) == before


def test_failed_catalogue_write_rolls_back_stored_files(corpus, inbox, monkeypatch):
    def broken_write(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(qa.corpus.ingest, "write_catalog", broken_write)
    p = inbox / "xixia.txt"
    p.write_text(NOTICE, encoding="utf-8")
    before = snapshot(corpus)
    with pytest.raises(OSError, match="disk full"):
        add_documents([p], corpus)
    assert snapshot(corpus) == before


def test_extract_text_names_file_for_each_reason(inbox):
    p = inbox / "empty.md"
    p.write_bytes(b"")
    with pytest.raises(IngestError, match=f"^{p}: the file is empty$"):
        extract_text(p)


def test_cli_add_failure_exit_code_and_message(corpus, inbox, capsys):
    good, bad = inbox / "good.txt", inbox / "bad.txt"
    good.write_text(NOTICE, encoding="utf-8")
    bad.write_bytes(PNG)
    before = snapshot(corpus)
    assert main(["--corpus", str(corpus), "add", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert str(bad) in captured.err and "nothing was added" in captured.err
    assert "added" not in captured.out
    assert snapshot(corpus) == before


def test_python_m_qa_add_subprocess(corpus, inbox):
    """The real entry point: exit status and stderr as a shell user sees them."""
    bad = inbox / "scan.pdf"
    bad.write_bytes(make_pdf([["x"]], text_layer=False))
    before = snapshot(corpus)
    run = subprocess.run([sys.executable, "-m", "qa", "--corpus", str(corpus), "add", str(bad)],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert str(bad) in run.stderr and "no text layer" in run.stderr
    assert snapshot(corpus) == before

    good = inbox / "plan.pdf"
    good.write_bytes(make_pdf(PDF_PAGES))
    run = subprocess.run([sys.executable, "-m", "qa", "--corpus", str(corpus), "add", str(good)],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "2022年鼓楼区健康促进工作计划" in run.stdout
    assert len(read_catalog(corpus)) == 6
