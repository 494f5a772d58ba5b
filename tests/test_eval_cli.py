"""python -m eval end-to-end, in-process, against a fake retriever with known rankings."""
import json
from pathlib import Path

import pytest

from eval.__main__ import main
from qa.records import Chunk, Hit

TEXTS = {
    "gulou#0": "鼓楼区卫生健康局关于印发工作要点的通知",
    "gulou#1": "全面提升群众获得感、幸福感、安\n\n全感",  # page break inside 安全感
    "gulou#2": "**责任领导**：张三；牵头科室：医政科",
    "gulou#3": "推进家庭医生签约服务，签约率达到 ４５％",
    "weidong#0": "卫东区2021年重点工作安排",
    "weidong#1": "新建社区卫生服务中心3所",
    "weidong#2": "加强疫苗接种，接种率达到95%",
    "zhoucun#0": "周村区医疗卫生服务建设推进年",
    "zhoucun#1": "签发人：李芒",
    "zhoucun#2": "慢性病管理",
}
CHUNKS = [
    Chunk(chunk_id=cid, doc_id=cid.split("#")[0], n=int(cid.split("#")[1]), kind="body",
          heading_path=("一、总体要求", f"（{cid[-1]}）"), text=text, start=0, end=len(text))
    for cid, text in TEXTS.items()
]
BY_ID = {c.chunk_id: c for c in CHUNKS}

QUESTIONS = [
    {"id": "q-lex", "question": "如何提升群众安全感？", "lang": "zh", "type": "lexical",
     "gold": [{"doc_id": "gulou", "evidence": "安全感"}], "answer": "…"},
    {"id": "q-num", "question": "签约率目标是多少？", "lang": "zh", "type": "number",
     "gold": [{"doc_id": "gulou", "evidence": "签约率达到45%"}], "answer": "45%"},
    {"id": "q-multi", "question": "卫东区新建几所中心，周村区签发人是谁？", "lang": "zh",
     "type": "multi", "gold": [{"doc_id": "weidong", "evidence": "新建社区卫生服务中心3所"},
                               {"doc_id": "zhoucun", "evidence": "签发人:李芒"}], "answer": "…"},
    {"id": "q-en", "question": "Who leads the work in Gulou?", "lang": "en", "type": "english",
     "gold": [{"doc_id": "gulou", "evidence": "**责任领导**：张三"}], "answer": "张三"},
    {"id": "q-none", "question": "火星上有几家医院？", "lang": "zh", "type": "unanswerable",
     "gold": [], "answer": ""},
]

# question id => mode => ranked chunk ids. Expected first-correct ranks in comments.
RANKINGS = {
    "q-lex": {"hybrid": ["gulou#0", "gulou#1", "zhoucun#2"],  # 2
              "bm25": ["gulou#1", "gulou#0"]},  # 1
    "q-num": {"hybrid": ["gulou#3", "weidong#2"],  # 1
              "bm25": ["weidong#2", "gulou#0"]},  # none
    "q-multi": {"hybrid": ["weidong#1", "gulou#0", "zhoucun#1"],  # 1, both gold docs
                "bm25": ["weidong#1", "weidong#0"]},  # 1, one gold doc
    "q-en": {"hybrid": ["weidong#0", "weidong#2", "zhoucun#0", "gulou#2"],  # 4
             "bm25": ["gulou#2"]},  # 1
    "q-none": {"hybrid": ["zhoucun#2"], "bm25": ["zhoucun#0"]},
}
EXPECTED_RANKS = {
    "hybrid": {"q-lex": 2, "q-num": 1, "q-multi": 1, "q-en": 4, "q-none": None},
    "bm25": {"q-lex": 1, "q-num": None, "q-multi": 1, "q-en": 1, "q-none": None},
}
RELEVANT_CHUNKS = {"q-lex": ["gulou#1"], "q-num": ["gulou#3"],
                   "q-multi": ["weidong#1", "zhoucun#1"], "q-en": ["gulou#2"]}


class FakeRetriever:
    MODES = ("hybrid", "bm25")

    def __init__(self):
        self.chunks = CHUNKS
        self.by_question = {q["question"]: q["id"] for q in QUESTIONS}

    def search(self, question, k=10, district=None, year=None, mode="hybrid"):
        ranked = RANKINGS[self.by_question[question]][mode][:k]
        return [
            Hit(chunk_id=cid, doc_id=BY_ID[cid].doc_id, text=BY_ID[cid].text, score=1.0 / rank,
                section=BY_ID[cid].section, district="", city="", province="", title="",
                year=2021, start=0, end=len(BY_ID[cid].text), signals={"fake": rank})
            for rank, cid in enumerate(ranked, start=1)
        ]


class AbstainingRetriever(FakeRetriever):
    def should_abstain(self, question, hits):
        return question in ("火星上有几家医院？", "签约率目标是多少？")


@pytest.fixture
def questions_file(tmp_path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS),
                    encoding="utf-8")
    return path


def run(tmp_path, questions_file, *extra, retriever=None):
    argv = ["--questions", str(questions_file), "--results-dir", str(tmp_path / "results"), *extra]
    return main(argv, retriever=retriever or FakeRetriever())


def only_run_dir(tmp_path) -> Path:
    (run_dir,) = (tmp_path / "results").iterdir()
    return run_dir


def test_writes_the_four_files_with_correct_ranks(tmp_path, questions_file, capsys):
    assert run(tmp_path, questions_file) == 0
    run_dir = only_run_dir(tmp_path)
    assert {p.name for p in run_dir.iterdir()} == {
        "metrics.json", "per_question.jsonl", "report.md", "report.png"}

    rows = [json.loads(line) for line in (run_dir / "per_question.jsonl").read_text().splitlines()]
    assert len(rows) == 10  # 5 questions x 2 modes
    ranks = {(r["mode"], r["id"]): r["rank"] for r in rows}
    for mode, expected in EXPECTED_RANKS.items():
        for qid, rank in expected.items():
            assert ranks[(mode, qid)] == rank, (mode, qid)
    row = next(r for r in rows if r["mode"] == "hybrid" and r["id"] == "q-en")
    assert row["top_chunk_ids"] == RANKINGS["q-en"]["hybrid"]
    assert row["latency_ms"] >= 0
    assert row["abstained"] is None

    assert (run_dir / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "| mode" in printed and "## Mode `bm25` by question type" in printed
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "questions: 5" in report and "not measured" in report


def test_metrics_json_numbers(tmp_path, questions_file):
    run(tmp_path, questions_file)
    m = json.loads((only_run_dir(tmp_path) / "metrics.json").read_text())
    assert m["n_questions"] == 5 and m["k"] == 10
    assert m["unmatched_gold"] == []
    hybrid = m["modes"]["hybrid"]["by_type"]
    # hybrid first-correct ranks 2, 1, 1, 4 -> hit@1 = 2/4; hit@5 = 4/4; MRR = (1/2+1+1+1/4)/4 = 0.6875
    assert hybrid["all"]["n"] == 4
    assert hybrid["all"]["hit@1"] == 0.5
    assert hybrid["all"]["hit@5"] == 1.0
    assert hybrid["all"]["mrr@10"] == pytest.approx(0.6875)
    # multi: relevant at ranks 1 and 3 of 2 gold items: (1 + 1/log2(4)) / (1 + 1/log2(3)) = 0.9197208
    assert hybrid["multi"]["ndcg@10"] == pytest.approx(0.9197208, abs=1e-7)
    assert hybrid["multi"]["recall@10"] == 1.0
    assert "recall@10" not in hybrid["lexical"]
    assert "unanswerable" not in hybrid
    # bm25 retrieves only the weidong gold doc for the multi question -> recall 1/2
    assert m["modes"]["bm25"]["by_type"]["multi"]["recall@10"] == 0.5
    assert m["modes"]["hybrid"]["latency_ms"]["n"] == 5
    assert m["modes"]["hybrid"]["abstention"]["available"] is False


def test_abstention_rates_when_retriever_can_abstain(tmp_path, questions_file):
    run(tmp_path, questions_file, retriever=AbstainingRetriever())
    m = json.loads((only_run_dir(tmp_path) / "metrics.json").read_text())
    a = m["modes"]["hybrid"]["abstention"]
    # abstains on the one unanswerable question and on 1 of 4 answerable ones
    assert a == {"available": True, "n_unanswerable": 1, "abstain_rate": 1.0,
                 "n_answerable": 4, "false_abstain_rate": 0.25}


def test_k_truncates_and_renames_metrics(tmp_path, questions_file):
    assert run(tmp_path, questions_file, "--k", "3", "--mode", "hybrid") == 0
    m = json.loads((only_run_dir(tmp_path) / "metrics.json").read_text())
    overall = m["modes"]["hybrid"]["by_type"]["all"]
    assert list(m["modes"]) == ["hybrid"]
    assert set(overall) == {"n", "hit@1", "hit@3", "mrr@3", "ndcg@3"}
    assert overall["hit@3"] == 0.75  # q-en's gold is at rank 4


def test_export_trec_format(tmp_path, questions_file):
    out = tmp_path / "trec"
    assert run(tmp_path, questions_file, "--export-trec", str(out)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["qrels.trec", "run.bm25.trec", "run.hybrid.trec"]
    qrels = [line.split() for line in (out / "qrels.trec").read_text().splitlines()]
    assert all(len(f) == 4 and f[1] == "0" and f[3] == "1" for f in qrels)
    got = {}
    for qid, _, cid, _ in qrels:
        got.setdefault(qid, []).append(cid)
    assert got == RELEVANT_CHUNKS  # the unanswerable question is not judged
    lines = [line.split() for line in (out / "run.hybrid.trec").read_text().splitlines()]
    assert all(len(f) == 6 and f[1] == "Q0" and f[5] == "qa.hybrid" for f in lines)
    en = [f for f in lines if f[0] == "q-en"]
    assert [f[2] for f in en] == RANKINGS["q-en"]["hybrid"]
    assert [int(f[3]) for f in en] == [1, 2, 3, 4]
    assert [float(f[4]) for f in en] == [1.0, 0.5, 1 / 3, 0.25]
    assert not any(f[0] == "q-none" for f in lines)


@pytest.mark.filterwarnings("ignore:unsafe cast:Warning")  # numba, inside ranx
def test_exported_trec_files_give_the_same_numbers_in_ranx(tmp_path, questions_file):
    ranx = pytest.importorskip("ranx")
    out = tmp_path / "trec"
    run(tmp_path, questions_file, "--export-trec", str(out))
    m = json.loads((only_run_dir(tmp_path) / "metrics.json").read_text())
    qrels = ranx.Qrels.from_file(str(out / "qrels.trec"), kind="trec")
    for mode in ("hybrid", "bm25"):
        r = ranx.Run.from_file(str(out / f"run.{mode}.trec"), kind="trec")
        got = ranx.evaluate(qrels, r, ["hit_rate@5", "mrr@10", "ndcg@10"], make_comparable=True)
        ours = m["modes"][mode]["by_type"]["all"]
        assert got["hit_rate@5"] == pytest.approx(ours["hit@5"])
        assert got["mrr@10"] == pytest.approx(ours["mrr@10"])
        assert got["ndcg@10"] == pytest.approx(ours["ndcg@10"])


def test_export_beir(tmp_path, questions_file):
    out = tmp_path / "beir"
    assert run(tmp_path, questions_file, "--export-beir", str(out)) == 0
    corpus = [json.loads(x) for x in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(corpus) == len(CHUNKS)
    assert corpus[1] == {"_id": "gulou#1", "title": "一、总体要求 > （1）",
                         "text": TEXTS["gulou#1"], "metadata": {"doc_id": "gulou"}}
    queries = [json.loads(x) for x in (out / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [q["_id"] for q in queries] == ["q-lex", "q-num", "q-multi", "q-en"]
    tsv = (out / "qrels" / "test.tsv").read_text().splitlines()
    assert tsv[0] == "query-id\tcorpus-id\tscore"
    assert "q-multi\tzhoucun#1\t1" in tsv and len(tsv) == 1 + 5


def test_unmatched_gold_is_reported(tmp_path):
    bad = dict(QUESTIONS[0], gold=[{"doc_id": "gulou", "evidence": "不存在的证据"}])
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(tmp_path, path) == 0
    report = (only_run_dir(tmp_path) / "report.md").read_text(encoding="utf-8")
    assert "gold evidence found in no indexed chunk" in report and "不存在的证据" in report


@pytest.mark.parametrize(
    "line2, message",
    [
        ('{"id": "x", "question": ', ":2: not valid JSON"),
        ('["a list"]', ":2: expected a JSON object"),
        ('{"id": "x", "question": "q", "lang": "fr", "type": "lexical", "gold": []}', ":2: 'lang'"),
        ('{"id": "x", "question": "q", "lang": "zh", "type": "lexical", "gold": []}',
         ":2: gold is empty"),
        ('{"id": "x", "question": "q", "lang": "zh", "type": "unanswerable", '
         '"gold": [{"doc_id": "d", "evidence": "e"}]}', "must have gold == []"),
        ('{"id": "q-lex", "question": "q", "lang": "zh", "type": "unanswerable", "gold": []}',
         "already used on line 1"),
        ('{"id": "x", "question": "q", "lang": "zh", "type": "lexical", "gold": [{"doc_id": "d"}]}',
         "gold[0]: field 'evidence'"),
    ],
)
def test_malformed_questions_file_names_the_line(tmp_path, capsys, line2, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(QUESTIONS[0], ensure_ascii=False) + "\n" + line2 + "\n",
                    encoding="utf-8")
    assert run(tmp_path, path) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "bad.jsonl" in err
    assert not (tmp_path / "results").exists()


def test_empty_and_missing_questions_file(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    assert run(tmp_path, empty) == 2
    assert "no questions" in capsys.readouterr().err
    assert run(tmp_path, tmp_path / "nope.jsonl") == 2
    assert "file not found" in capsys.readouterr().err


def test_unknown_mode(tmp_path, questions_file, capsys):
    assert run(tmp_path, questions_file, "--mode", "hybrid,splade") == 2
    assert "unknown mode(s) ['splade']" in capsys.readouterr().err


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--questions", "--mode", "--k", "--export-beir", "--export-trec",
                 "--baseline-check", "--record-baseline"):
        assert flag in out


@pytest.mark.parametrize("mrr_floor, status", [(0.6875, 0), (0.70, 1)])
def test_baseline_check(tmp_path, questions_file, capsys, mrr_floor, status):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"mode": "hybrid", "k": 10, "hit@5": 1.0, "mrr@10": mrr_floor,
                                    "recorded": "2025-01-01", "note": "test"}))
    assert run(tmp_path, questions_file, "--baseline-check", "--baseline", str(baseline)) == status
    out = capsys.readouterr().out
    assert ("FAIL hybrid mrr@10" in out) == bool(status)


def test_baseline_check_needs_matching_k_and_valid_file(tmp_path, questions_file, capsys):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"mode": "hybrid", "k": 10, "hit@5": 0.5, "mrr@10": 0.5}))
    assert run(tmp_path, questions_file, "--baseline-check", "--baseline", str(baseline),
               "--k", "5") == 2
    assert "run with --k 10" in capsys.readouterr().err
    baseline.write_text("{not json")
    assert run(tmp_path, questions_file, "--baseline-check", "--baseline", str(baseline)) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_record_baseline_then_check_passes(tmp_path, questions_file):
    baseline = tmp_path / "baseline.json"
    assert run(tmp_path, questions_file, "--record-baseline", "first numbers",
               "--baseline", str(baseline)) == 0
    recorded = json.loads(baseline.read_text())
    assert recorded["mode"] == "hybrid" and recorded["k"] == 10
    assert recorded["hit@5"] == 1.0 and recorded["mrr@10"] == pytest.approx(0.6875)
    assert recorded["note"] == "first numbers"
    assert run(tmp_path, questions_file, "--baseline-check", "--baseline", str(baseline)) == 0


def _summary(abstain_rate, false_rate):
    from eval.run import ALL

    return {"hybrid": {"by_type": {ALL: {"hit@5": 1.0}},
                       "answers": {"available": True, "abstain_rate": abstain_rate,
                                   "false_abstain_rate": false_rate}}}


@pytest.mark.parametrize("abstain, false, passed", [(0.5, 0.0, True), (0.4, 0.0, False), (0.5, 0.03, False),
                                                    (0.6, 0.02, True)])
def test_baseline_guards_abstention_from_below_and_false_abstention_from_above(tmp_path, abstain, false, passed):
    from eval.baseline import check_baseline, load_baseline

    path = tmp_path / "b.json"
    path.write_text(json.dumps({"mode": "hybrid", "k": 10, "hit@5": 0.9, "abstain": 0.5, "false_abstain": 0.02}))
    ok, lines = check_baseline(_summary(abstain, false), load_baseline(path), k=10)
    assert ok is passed, lines
    assert any("answers abstain" in line for line in lines) and any("false_abstain" in line for line in lines)


def test_baseline_abstention_needs_scored_answers_and_a_rate(tmp_path):
    from eval.baseline import BaselineError, check_baseline, load_baseline

    path = tmp_path / "b.json"
    path.write_text(json.dumps({"mode": "hybrid", "k": 10, "hit@5": 0.9, "abstain": 1.5}))
    with pytest.raises(BaselineError, match="between 0 and 1"):
        load_baseline(path)
    path.write_text(json.dumps({"mode": "hybrid", "k": 10, "hit@5": 0.9, "abstain": 0.5}))
    summary = {"hybrid": {"by_type": {"all": {"hit@5": 1.0}}, "answers": {"available": False}}}
    with pytest.raises(BaselineError, match="answers scored"):
        check_baseline(summary, load_baseline(path), k=10)


def test_recorded_floors_one_question_below_still_pass_a_run_one_question_worse(tmp_path):
    from eval.baseline import check_baseline, load_baseline, record_baseline
    from eval.run import ALL

    def summary(hit1, abstained, false):
        return {"hybrid": {"by_type": {ALL: {"n": 124, "hit@1": hit1 / 124, "hit@5": 1.0, "mrr@10": 0.9}},
                           "answers": {"available": True, "n_unanswerable": 47, "abstain_rate": abstained / 47,
                                       "n_answerable": 124, "false_abstain_rate": false / 124}}}

    path = tmp_path / "b.json"
    obj = record_baseline(path, summary(106, 11, 2), mode="hybrid", k=10, note="n", slack=1)
    # 105/124 = 0.846774… → 0.8467 (nearest would be 0.847, which 105/124 fails);
    # 10/47 = 0.212765… → 0.2127; ceiling 3/124 = 0.024193… → 0.0242
    assert (obj["hit@1"], obj["abstain"], obj["false_abstain"]) == (0.8467, 0.2127, 0.0242)
    assert obj["mrr@10"] == pytest.approx(0.9 - 1 / 124, abs=1e-4) and obj["mrr@10"] <= 0.9 - 1 / 124
    baseline = load_baseline(path)
    assert check_baseline(summary(105, 10, 3), baseline, k=10)[0]
    assert not check_baseline(summary(104, 10, 3), baseline, k=10)[0]
    assert not check_baseline(summary(105, 9, 3), baseline, k=10)[0]
    assert not check_baseline(summary(105, 10, 4), baseline, k=10)[0]


def test_re_recording_keeps_floors_it_does_not_measure_and_the_notes_history(tmp_path):
    from eval.baseline import record_baseline
    from eval.run import ALL

    path = tmp_path / "b.json"
    path.write_text(json.dumps({"mode": "hybrid", "k": 10, "hit@1": 0.5, "district_first": 0.93,
                                "recorded": "2026-01-01", "note": "first run."}))
    summary = {"hybrid": {"by_type": {ALL: {"n": 10, "hit@1": 0.8, "hit@5": 1.0, "mrr@10": 0.9}},
                          "answers": {"available": False}}}
    obj = record_baseline(path, summary, mode="hybrid", k=10, note="second run")
    assert obj["hit@1"] == 0.8 and obj["district_first"] == 0.93  # its own test checks it
    assert obj["note"].startswith("first run. ") and obj["note"].endswith(": second run")
    assert json.loads(path.read_text()) == obj


def test_record_baseline_cli_takes_a_slack(tmp_path, questions_file):
    baseline = tmp_path / "baseline.json"
    assert run(tmp_path, questions_file, "--record-baseline", "loose", "--slack", "1",
               "--baseline", str(baseline)) == 0
    recorded = json.loads(baseline.read_text())
    assert recorded["hit@5"] < 1.0
    assert run(tmp_path, questions_file, "--baseline-check", "--baseline", str(baseline)) == 0


def test_which_place_list_precision_and_recall_have_floors_one_multi_question_below(tmp_path):
    from eval.baseline import check_baseline, load_baseline, record_baseline
    from eval.run import ALL

    def summary(precision):  # 8 multi questions: one question's list wholly wrong moves the average by 1/8
        return {"hybrid": {"by_type": {ALL: {"n": 40, "hit@1": 0.9, "hit@5": 1.0, "mrr@10": 0.9,
                                             "list_precision": precision, "list_recall": 1.0},
                                       "multi": {"n": 8}}, "answers": {"available": False}}}

    path = tmp_path / "b.json"
    obj = record_baseline(path, summary(0.75), mode="hybrid", k=10, note="n", slack=1)
    assert (obj["list_precision"], obj["list_recall"]) == (0.625, 0.875)
    baseline = load_baseline(path)
    assert check_baseline(summary(0.625), baseline, k=10)[0]
    ok, lines = check_baseline(summary(0.6), baseline, k=10)
    assert not ok and any("FAIL hybrid list_precision" in line for line in lines)
