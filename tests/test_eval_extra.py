"""python -m eval --extra DIR: seed corpus + a manifest's documents, built beside corpus/ and index/.

The extra set is made here in tmp_path (a notice as .txt and one as .docx);
the retriever uses the fake encoder, so no model is loaded.
"""
import hashlib
import json
from pathlib import Path

import pytest

from eval import extra
from eval.__main__ import main
from qa.corpus.documents import DEFAULT_CORPUS, read_catalog
from qa.embed.encoder import FakeEncoder

# Invented issuers and numbers: the test checks that what lands in the
# catalogue is what the header says, and never the manifest's `expected`.
TXT = """示例县卫生健康局文件
示卫发〔2022〕7号
示例县卫生健康局关于印发2022年全县卫生健康工作要点的通知
各乡镇卫生院：
现将《2022年全县卫生健康工作要点》印发给你们，请认真贯彻执行。
示例县卫生健康局
2022年3月8日
2022年全县卫生健康工作要点
一、强化基层服务
1.推进慢性病签约服务，高血压患者规范管理率达到六成以上。
2.建设胸痛救治单元12个，覆盖全部乡镇。
二、保障重点人群
3.为辖区孕产妇提供免费产前筛查，筛查率不低于百分之九十。
"""
DOCX_LINES = [
    "样板区人民政府办公室",
    "样政办〔2023〕15号",
    "关于印发健康样板行动实施方案的通知",
    "健康样板行动实施方案",
    "一、总体目标",
    "到2025年，全区建成家庭医生工作室36个，居民电子健康档案开放率达到七成。",
    "二、重点任务",
    "（一）开展全民健身进社区活动，每个社区配备健身指导员。",
]


def _tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture()
def extra_dir(tmp_path):
    import docx

    d = tmp_path / "extra"
    (d / "docs").mkdir(parents=True)
    (d / "docs" / "x1.txt").write_text(TXT, encoding="utf-8")
    doc = docx.Document()
    for line in DOCX_LINES:
        doc.add_paragraph(line)
    doc.save(d / "docs" / "x2.docx")
    manifest = {"format": 1, "documents": [
        {"doc_id": "x1-shili-2022", "file": "docs/x1.txt", "source_url": "http://example.invalid/1",
         "retrieved": "2026-12-04",
         # deliberately wrong: if these reached the catalogue the test would see them
         "expected": {"issuer": "不该出现的机关", "province": "", "city": "", "district": "",
                      "year": 2022, "doc_number": "示卫发〔2022〕7号", "date": "2022-03-08", "title": ""}},
        {"doc_id": "x2-yangban-2023", "file": "docs/x2.docx", "source_url": "http://example.invalid/2",
         "retrieved": "2026-12-04",
         "expected": {"issuer": "", "province": "", "city": "", "district": "", "year": None,
                      "doc_number": "样政办〔2023〕15号", "date": "", "title": "健康样板行动实施方案"}},
    ]}
    (d / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return d


def test_prepare_combines_seed_and_extra_without_touching_corpus(extra_dir, tmp_path):
    before = _tree_digest(DEFAULT_CORPUS)
    combined = extra.prepare(extra_dir, cache_root=tmp_path / "cache")
    assert _tree_digest(DEFAULT_CORPUS) == before
    assert combined.corpus_dir.parent.parent == tmp_path / "cache"
    assert not combined.reused

    metas = {m.doc_id: m for m in read_catalog(combined.corpus_dir)}
    seeds = read_catalog(DEFAULT_CORPUS)
    assert set(metas) == {m.doc_id for m in seeds} | {"x1-shili-2022", "x2-yangban-2023"}
    for s in seeds:  # seed entries (curated) are carried over unchanged
        assert metas[s.doc_id] == s
        assert (combined.corpus_dir / s.file).read_bytes() == (DEFAULT_CORPUS / s.file).read_bytes()

    x1 = metas["x1-shili-2022"]
    assert x1.file == "x1-shili-2022.txt"
    assert (combined.corpus_dir / x1.file).read_text(encoding="utf-8") == TXT
    assert x1.doc_number == "示卫发〔2022〕7号"  # read from the header line
    assert x1.issuer != "不该出现的机关"  # never copied from `expected`
    x2_text = (combined.corpus_dir / "x2-yangban-2023.txt").read_text(encoding="utf-8")
    assert "居民电子健康档案开放率达到七成" in x2_text  # the .docx went through extract_text


def test_prepare_reuses_the_same_inputs_and_rebuilds_changed_ones(extra_dir, tmp_path):
    cache = tmp_path / "cache"
    first = extra.prepare(extra_dir, cache_root=cache)
    catalog = first.corpus_dir / "catalog.json"
    stamp = catalog.stat().st_mtime_ns
    again = extra.prepare(extra_dir, cache_root=cache)
    assert again.reused and again.corpus_dir == first.corpus_dir
    assert catalog.stat().st_mtime_ns == stamp

    (extra_dir / "docs" / "x1.txt").write_text(TXT + "4.新增一条。\n", encoding="utf-8")
    changed = extra.prepare(extra_dir, cache_root=cache)
    assert not changed.reused and changed.corpus_dir != first.corpus_dir
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [first.corpus_dir.parent.name, changed.corpus_dir.parent.name])  # no temp dirs left


def test_a_new_combined_corpus_borrows_vectors_from_the_last_built_one(extra_dir, tmp_path):
    from qa.search.retriever import Retriever

    cache = tmp_path / "cache"
    first = extra.prepare(extra_dir, cache_root=cache)
    assert first.donor is None  # nothing built yet
    built = Retriever.load(first.index_dir, first.corpus_dir, encoder=FakeEncoder())
    assert extra.prepare(extra_dir, cache_root=cache).donor is None  # never itself

    (extra_dir / "docs" / "x1.txt").write_text(TXT + "4.新增一条。\n", encoding="utf-8")
    changed = extra.prepare(extra_dir, cache_root=cache)
    assert changed.donor == first.index_dir
    r = Retriever.load(changed.index_dir, changed.corpus_dir, encoder=FakeEncoder(), reuse_from=changed.donor)
    counts = r.manifest["counts"]
    assert counts["embedded"] <= 2 and counts["reused"] >= len(built.chunks) - 2  # the seeds were not re-embedded


def test_metadata_agreement_scores_only_stated_fields(extra_dir, tmp_path):
    combined = extra.prepare(extra_dir, cache_root=tmp_path / "cache")
    agreement = extra.metadata_agreement(combined)
    # stated (non-empty) expected values: x1 issuer, year, doc_number, date; x2 doc_number, title
    assert agreement["all"]["n"] == 6
    assert agreement["issuer"] == {"n": 1, "right": 0, "rate": 0.0}  # the planted wrong issuer
    assert agreement["doc_number"]["n"] == 2
    wrong = {(w["doc_id"], w["field"]) for w in agreement["wrong"]}
    assert ("x1-shili-2022", "issuer") in wrong
    assert agreement["all"]["right"] == agreement["all"]["n"] - len(agreement["wrong"])
    assert "| issuer | 1 | 0 | 0.00 |" in extra.render_agreement(agreement)


def test_eval_cli_runs_questions_on_the_extra_documents(extra_dir, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "e1", "question": "示例县高血压患者规范管理率要达到多少？", "lang": "zh", "type": "number",
         "gold": [{"doc_id": "x1-shili-2022", "evidence": "高血压患者规范管理率达到六成以上"}], "answer": "六成以上"},
        {"id": "e2", "question": "样板区要建成多少个家庭医生工作室？", "lang": "zh", "type": "number",
         "gold": [{"doc_id": "x2-yangban-2023", "evidence": "建成家庭医生工作室36个"}], "answer": "36个"},
        {"id": "e3", "question": "火星上有几家医院？", "lang": "zh", "type": "unanswerable", "gold": [], "answer": ""},
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    index_before = _tree_digest(DEFAULT_CORPUS.parent / "index") if (DEFAULT_CORPUS.parent / "index").exists() else None

    status = main(["--questions", str(questions), "--extra", str(extra_dir), "--extra-cache",
                   str(tmp_path / "cache"), "--mode", "bm25", "--results-dir", str(tmp_path / "results")],
                  encoder=FakeEncoder())
    out = capsys.readouterr().out
    assert status == 0
    assert "Extracted metadata" in out
    run_dir = next((tmp_path / "results").iterdir())
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["extra"]["n_documents"] == 2
    assert metrics["unmatched_gold"] == []  # both evidences are inside indexed chunks
    rows = [json.loads(line) for line in (run_dir / "per_question.jsonl").read_text().splitlines()]
    ranks = {r["id"]: r["rank"] for r in rows}
    # distinctive number phrases: BM25 finds the extra documents' passages first
    assert ranks["e1"] == 1 and ranks["e2"] == 1
    assert (tmp_path / "cache").is_dir()
    if index_before is not None:
        assert _tree_digest(DEFAULT_CORPUS.parent / "index") == index_before


def test_two_extra_sets_load_together_and_a_doc_id_in_both_is_refused(extra_dir, tmp_path):
    import shutil

    other = tmp_path / "other"
    (other / "docs").mkdir(parents=True)
    shutil.copyfile(extra_dir / "docs" / "x1.txt", other / "docs" / "y1.txt")
    manifest = {"format": 1, "documents": [{"doc_id": "y1-copy-2022", "file": "docs/y1.txt", "expected": {}}]}
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    combined = extra.prepare([extra_dir, other], cache_root=tmp_path / "cache")
    assert [d.doc_id for d in combined.extras] == ["x1-shili-2022", "x2-yangban-2023", "y1-copy-2022"]
    catalog = json.loads((combined.corpus_dir / "catalog.json").read_text(encoding="utf-8"))
    ids = {e["doc_id"] for e in catalog["documents"]}
    assert {"x1-shili-2022", "y1-copy-2022"} <= ids
    manifest["documents"][0]["doc_id"] = "x1-shili-2022"
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(extra.ExtraError, match="more than one"):
        extra.prepare([extra_dir, other], cache_root=tmp_path / "cache")


@pytest.mark.parametrize("mutate, message", [
    (lambda m, d: (d / "manifest.json").unlink(), "no manifest.json"),
    (lambda m, d: m["documents"][0].update(doc_id="gulou-2021"), "already in the seed corpus"),
    (lambda m, d: m["documents"][1].update(file="docs/missing.pdf"), "does not exist"),
    (lambda m, d: m["documents"][1].update(doc_id="x1-shili-2022"), "repeated"),
    (lambda m, d: m.update(format=2), "format"),
])
def test_bad_extra_sets_exit_2_with_a_message(extra_dir, tmp_path, capsys, mutate, message):
    manifest = json.loads((extra_dir / "manifest.json").read_text(encoding="utf-8"))
    mutate(manifest, extra_dir)
    if (extra_dir / "manifest.json").exists():
        (extra_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "e1", "question": "问题", "lang": "zh", "type": "unanswerable",
                                     "gold": [], "answer": ""}, ensure_ascii=False) + "\n", encoding="utf-8")
    status = main(["--questions", str(questions), "--extra", str(extra_dir), "--extra-cache",
                   str(tmp_path / "cache"), "--results-dir", str(tmp_path / "results")], encoder=FakeEncoder())
    assert status == 2
    assert message in capsys.readouterr().err


def test_the_metadata_check_scores_the_extractor_without_an_index(extra_dir, capsys):
    """python -m eval.metadata DIR: right, wrong and invented fields, counted by hand."""
    from eval.metadata import extract_all, main
    from eval.extra import agreement

    docs, extracted = extract_all([extra_dir])
    result = agreement(docs, extracted)
    # x1 states issuer, year, 文号 and date; its manifest's issuer is deliberately wrong (and 示例县 is
    # no real place, so no issuer is read at all); x2 states a 文号 and a title
    assert result["issuer"] == {"n": 1, "right": 0, "rate": 0.0}
    assert result["doc_number"] == {"n": 2, "right": 2, "rate": 1.0}
    assert result["all"] == {"n": 6, "right": 5, "rate": 5 / 6}
    assert result["wrong"] == [{"doc_id": "x1-shili-2022", "field": "issuer", "expected": "不该出现的机关", "got": ""}]
    # where a manifest says the text states nothing, a value found is reported, not scored
    assert {(w["doc_id"], w["field"]) for w in result["invented"]} == {("x2-yangban-2023", "year"),
                                                                       ("x1-shili-2022", "title")}
    assert main([str(extra_dir)]) == 0
    out = capsys.readouterr().out
    assert "| issuer | 1 | 0 | 0.00 |" in out and "x1-shili-2022 issuer: '不该出现的机关' → ''" in out
    assert "x2-yangban-2023 year: 2023" in out
    assert main([str(extra_dir / "nowhere")]) == 2


def test_a_doc_number_is_the_same_whichever_brackets_print_its_year():
    from eval.extra import _same

    assert _same("doc_number", "胶政办发〔2021〕10号", "胶政办发【2021】10号")
    assert _same("doc_number", "卫发[2020]3号", "卫发〔2020〕3号")
    assert not _same("doc_number", "卫发〔2020〕3号", "卫发〔2021〕3号")
    assert not _same("title", "方案【2021】", "方案〔2021〕")  # only a 文号's year brackets are one form
