"""Issue 14, ingest: zip bombs, size caps, symlinks and special files, encodings, concurrent adds.

Every test works on a copy of corpus/ and checks that a refused file changes nothing in it.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest

import qa.corpus.chunking
import qa.corpus.ingest
from qa.corpus.documents import DEFAULT_CORPUS, read_catalog
from qa.corpus.ingest import IngestError, add_documents, decode_text, extract_text

from test_ingest import NOTICE, make_docx, snapshot

# generic sample sentences in other scripts (not from any corpus document)
TRADITIONAL = ("臺北市衛生局關於印發《2022年衛生健康工作要點》的通知。各區衛生所：現將工作要點印發給你們，"
               "請結合實際，認真貫徹落實。一、加強疾病預防控制。完善疾控體系，提升檢測能力。")
JAPANESE = ("東京都福祉保健局は、令和四年度の健康づくり事業計画を公表しました。地域の医療機関と連携し、"
            "予防接種の推進、がん検診の受診率向上に取り組みます。")


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


def zip_bomb_docx(path: Path, inflated_mb: int) -> Path:
    """A valid .docx whose document.xml holds one paragraph of `inflated_mb` MB of text."""
    make_docx(path.with_suffix(".base.docx"))
    with zipfile.ZipFile(path.with_suffix(".base.docx")) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "word/document.xml":
                dst.writestr(info, data)
                continue
            head, tail = data.decode("utf-8").split("<w:body>", 1)
            with dst.open("word/document.xml", "w", force_zip64=True) as out:
                out.write((head + "<w:body><w:p><w:r><w:t>").encode())
                block = "卫" * (1 << 20)  # 3 MB of UTF-8 per block
                for _ in range(inflated_mb // 3):
                    out.write(block.encode())
                out.write(("</w:t></w:r></w:p>" + tail).encode())
    return path


def test_docx_zip_bomb_is_refused_before_anything_is_written(corpus, inbox):
    # before: a 683 KB .docx inflating to 200 MB wrote a 140 MB text and a catalogue entry into corpus/,
    # then died of MemoryError (5.9 GB peak); the app no longer started
    bomb = zip_bomb_docx(inbox / "bomb.docx", inflated_mb=200)
    assert bomb.stat().st_size < 2_000_000
    before = snapshot(corpus)
    started = time.perf_counter()
    with pytest.raises(IngestError, match="decompresses to over") as err:
        add_documents([bomb], corpus)
    assert time.perf_counter() - started < 30  # measured while inflating at most the limit, then stopped
    assert str(bomb) in str(err.value)
    assert snapshot(corpus) == before


def test_text_over_the_character_cap_is_refused(corpus, inbox, monkeypatch):
    monkeypatch.setattr(qa.corpus.ingest, "MAX_TEXT_CHARS", 5_000)
    p = inbox / "long.txt"
    p.write_text(NOTICE * 20, encoding="utf-8")  # ~10,000 characters
    before = snapshot(corpus)
    with pytest.raises(IngestError, match="character limit"):
        add_documents([p], corpus)
    assert snapshot(corpus) == before


def test_nothing_is_written_when_the_text_cannot_be_split(corpus, inbox, monkeypatch):
    def broken(*args, **kwargs):
        raise RecursionError("deep")

    monkeypatch.setattr(qa.corpus.chunking, "chunk_document", broken)
    p = inbox / "plan.txt"
    p.write_text(NOTICE, encoding="utf-8")
    before = snapshot(corpus)
    with pytest.raises(IngestError, match="cannot be split"):
        add_documents([p], corpus)
    assert snapshot(corpus) == before


def test_symlink_is_refused_by_name(corpus, inbox):
    # before: a link to the password file was added and became searchable
    target = inbox / "real.txt"
    target.write_text(NOTICE, encoding="utf-8")
    for link, to in [(inbox / "passwd.txt", Path("/etc/passwd")), (inbox / "plan.txt", target)]:
        link.symlink_to(to)
        before = snapshot(corpus)
        with pytest.raises(IngestError, match="symbolic link") as err:
            add_documents([link], corpus)
        assert str(link) in str(err.value) and snapshot(corpus) == before


def test_special_files_are_refused_without_blocking(corpus, inbox):
    fifo = inbox / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block for ever
    for p in [fifo, Path("/dev/zero"), Path("/dev/null")]:
        with pytest.raises(IngestError, match="not a regular file|empty"):
            extract_text(p)


@pytest.mark.parametrize("encoding, text", [
    ("gb18030", NOTICE), ("big5", TRADITIONAL), ("shift_jis", JAPANESE),
    ("utf-16-le", NOTICE), ("utf-16-be", NOTICE), ("utf-16", NOTICE),  # without and with BOM
    ("utf-8-sig", NOTICE), ("utf-32", NOTICE),
], ids=lambda v: v if len(v) < 12 else "")
def test_txt_encodings_are_decoded(inbox, encoding, text):
    # before: Big5 and Shift-JIS were stored as GB18030 mojibake; UTF-16 was refused as "looks binary"
    p = inbox / "doc.txt"
    p.write_bytes(text.encode(encoding))
    assert extract_text(p) == text


def test_undecodable_bytes_say_what_to_do():
    with pytest.raises(IngestError, match="save it as UTF-8"):
        decode_text(bytes(range(0x80, 0x100)) * 40 + b"\x00\x01\x02" * 500, "x.txt")
    with pytest.raises(IngestError, match="UTF-16.*save it as UTF-8"):
        decode_text(b"\xff\xfe" + b"\x00\xd8" * 10, "y.txt")  # a BOM, then lone surrogates


def _add_one(args):
    path, corpus, barrier = args
    barrier.wait()
    try:
        return [m.doc_id for m in add_documents([Path(path)], Path(corpus))]
    except Exception as e:  # noqa: BLE001 — reported to the parent
        return repr(e)


def test_concurrent_adds_keep_every_entry(corpus, inbox):
    # before: two `qa add` at once lost one catalogue entry in 3 of 5 trials while both printed "added"
    ctx = multiprocessing.get_context("fork")
    for trial in range(3):
        paths = []
        for i in range(3):
            p = inbox / f"t{trial}-{i}.txt"
            p.write_text(NOTICE.replace("2022年3月8日", f"2022年3月{trial * 3 + i + 1}日") + f"\n附{trial}{i}\n",
                         encoding="utf-8")
            paths.append(p)
        n_before = len(read_catalog(corpus))
        barrier = ctx.Barrier(len(paths))
        procs = [ctx.Process(target=_add_one, args=((str(p), str(corpus), barrier),)) for p in paths]
        for pr in procs:
            pr.start()
        for pr in procs:
            pr.join(timeout=120)
            assert pr.exitcode == 0
        metas = read_catalog(corpus)
        assert len(metas) == n_before + len(paths)
        assert len({m.file for m in metas}) == len(metas)  # no two documents stored under one name
        for m in metas:
            assert (corpus / m.file).is_file()
