"""The library in a real browser (desktop 1366×768 and phone 390×844), real model.

`python app.py` over a copy of the corpus with one plan held out: upload that
plan as a .docx through the page, review its metadata, see it in the library
with its district, ask a question answered from it, open the cited passage in
the reader, reload and find the conversation, copy the answer as plain text,
export it as Markdown, then delete the document.  Screenshots go to
tests/artifacts/library_*.png.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from library_fixtures import ROOT, corpus_without, write_docx
from live_app import free_port, wait_chat_ready

pytestmark = [pytest.mark.browser, pytest.mark.model]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START_TIMEOUT = 300  # s: without a prebuilt index/ to copy, the first start builds one
UPDATE_TIMEOUT = 180_000  # ms: embedding the uploaded plan's chunks with the real model
REPLY_TIMEOUT = 60_000

from playwright import sync_api  # noqa: E402 — in requirements.txt; Debian's Chromium, never `playwright install`


def _health(base: str) -> dict:
    with urllib.request.urlopen(base + "/api/health", timeout=5) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("library-browser")
    corpus, entry, text = corpus_without(tmp)
    if (ROOT / "index" / "CURRENT").exists():  # reuse its vectors: only the changed corpus is re-indexed
        shutil.copytree(ROOT / "index", tmp / "index", ignore=shutil.ignore_patterns(".build.lock"))
    docx = write_docx(text, tmp / "plan.docx")
    port = free_port()
    log_path = tmp / "app.log"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "QA_FEEDBACK_LOG": str(tmp / "fb.jsonl")}
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port), "--index",
                                 str(tmp / "index"), "--corpus", str(corpus), "--data-dir", str(tmp / "data")],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if _health(base).get("ready"):
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app.py not ready after {START_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield {"base": base, "entry": entry, "docx": docx, "corpus": corpus, "data": tmp / "data", "log": log_path}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is absent: bash setup.sh --with-browser")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _page(browser, base: str, viewport: dict, locale: str = "zh-CN"):
    ctx = browser.new_context(viewport=viewport, locale=locale, accept_downloads=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = ctx.new_page()
    blocked: list[str] = []
    errors: list[str] = []

    def only_loopback(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost", "::1"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/")
    wait_chat_ready(page)
    return ctx, page, blocked, errors


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    time.sleep(0.7)
    page.screenshot(path=str(ARTIFACTS / name))


def _wait_status(page, needle: str, timeout: int = UPDATE_TIMEOUT) -> None:
    page.wait_for_function(
        "n => { const s = document.querySelector('#qa-status'); return s && s.innerText.includes(n) && "
        "!s.innerText.includes('正在更新'); }", arg=needle, timeout=timeout)


def _ask(page, question: str):
    answers = page.locator("#qa-chat .qa-answer")
    before = answers.count()
    box = page.locator("#qa-input textarea")
    box.fill(question)
    box.press("Enter")
    answers.nth(before).wait_for(state="visible", timeout=REPLY_TIMEOUT)
    time.sleep(0.8)
    return answers.nth(before)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_upload_ask_read_reload_copy_delete(server, browser, size):
    viewport = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}[size]
    district, base = server["entry"]["district"], server["base"]
    ctx, page, blocked, errors = _page(browser, base, viewport)
    try:
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        n_docs = len(json.loads(urllib.request.urlopen(base + "/api/documents").read())["documents"])
        # upload through the page; the recognised metadata is shown for review before anything is added
        page.get_by_role("tab", name="文件库").click()
        page.locator("#qa-upload-file input[type=file]").set_input_files(str(server["docx"]))
        page.locator("#qa-review").wait_for(state="visible", timeout=60_000)
        assert page.locator("#qa-f-district textarea, #qa-f-district input").first.input_value() == district
        _shot(page, f"library_review_{size}.png")
        assert not list((server["corpus"]).glob("*plan*"))  # nothing committed yet
        # the uploaded bytes are not left in Gradio's (served) upload cache, only in the private data dir
        sent = server["docx"].read_bytes()
        cached = [p for p in (server["data"] / "gradio-cache").rglob("*") if p.is_file() and p.read_bytes() == sent]
        assert cached == []
        page.locator("#qa-commit").click()
        try:
            page.get_by_text("已加入").first.wait_for(state="visible", timeout=30_000)
        except Exception:
            _shot(page, f"library_commit_failed_{size}.png")
            raise AssertionError(f"commit not confirmed; page errors {errors}; blocked {blocked}") from None
        _wait_status(page, f"{n_docs + 1} 份文件")
        row = page.locator("#qa-lib-list tr", has_text=district)
        row.first.wait_for(state="visible", timeout=30_000)
        assert row.first.locator("td").nth(6).text_content().strip().isdigit()  # its chunk count, not "索引中…"
        _shot(page, f"library_list_{size}.png")
        row.first.click()  # a row opens the document in the reader
        page.locator("#qa-reader .qa-r-head", has_text=district).wait_for(state="visible", timeout=20_000)

        # ask a question answered from it; open the cited passage in the reader
        page.get_by_role("tab", name="问答").click()
        answer = _ask(page, f"{district}基本公共卫生服务补助标准是多少？")
        heads = answer.locator(".qa-cite-head").all_inner_texts()
        assert heads and district in heads[0]
        _shot(page, f"library_answer_{size}.png")
        msg = page.locator("#qa-chat .qa-msg").last
        passage = msg.locator(".qa-passage").first.inner_text().strip("…")[:12]
        msg.locator(".qa-act-read").first.click()
        target = page.locator("#qa-reader .qa-target")
        target.wait_for(state="visible", timeout=20_000)
        assert district in page.locator("#qa-reader .qa-r-head").inner_text()
        assert passage in target.inner_text()
        assert page.locator("#qa-reader .qa-r-outline .qa-act-goto").count() >= 3
        page.wait_for_function(  # scrolled to the passage
            "h => { const r = document.querySelector('#qa-reader .qa-target').getBoundingClientRect();"
            " return r.top >= 0 && r.top < h; }", arg=viewport["height"], timeout=5_000)
        _shot(page, f"library_reader_{size}.png")

        # copy: plain text with the citations, no markup
        msg.locator(".qa-act-copy").click()
        time.sleep(0.5)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "<" not in copied and "[1]" in copied and f"{district} · 《" in copied
        with page.expect_download() as dl:
            msg.locator(".qa-act-md").click()
        md = Path(dl.value.path()).read_text(encoding="utf-8")
        assert md.startswith("### ") and district in md and "> " in md

        # reload: the conversation and its follow-up context are still there
        page.reload()
        wait_chat_ready(page)
        page.locator("#qa-chat .qa-answer").first.wait_for(state="visible", timeout=30_000)
        assert district in page.locator("#qa-chat .qa-answer").last.inner_text()
        docs = json.loads(urllib.request.urlopen(base + "/api/documents").read())["documents"]
        other = next(d["district"] for d in docs if d["district"] and d["district"] != district)
        follow = _ask(page, f"那{other}呢？")  # a follow-up: the restored memory supplies the earlier question
        assert "基本公共卫生服务补助标准" in follow.locator(".qa-searched").inner_text()
        if size == "phone":  # one page scroll: nothing inside the chat scrolls on its own
            nested = page.evaluate("""() => Array.from(document.querySelectorAll('#qa-chat, #qa-chat *')).filter(e =>
                /(auto|scroll)/.test(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight + 4).length""")
            assert nested == 0
        _shot(page, f"library_reloaded_{size}.png")

        # delete it again through the page
        page.get_by_role("tab", name="文件库").click()
        page.locator("#qa-remove").click()
        page.locator("#qa-remove-pick input").click()
        page.get_by_role("option", name=re.compile(district)).first.click()
        page.locator("#qa-remove-btn").click()
        page.locator("#qa-remove-confirm").click()
        page.get_by_text("已删除").first.wait_for(state="visible", timeout=30_000)
        _wait_status(page, f"{n_docs} 份文件")
        page.wait_for_function("d => !document.querySelector('#qa-lib-list').innerText.includes(d)", arg=district,
                               timeout=30_000)
        _shot(page, f"library_deleted_{size}.png")
        assert blocked == [] and errors == []
    finally:
        ctx.close()


def test_phone_layout_filter_note_and_empty_message(server, browser):
    ctx, page, blocked, errors = _page(browser, server["base"], {"width": 390, "height": 844})
    try:
        page.locator("#qa-clear").click()
        answer = _ask(page, "   ")
        assert "请输入" in answer.inner_text()
        users = page.locator("#qa-chat .qa-q")
        assert users.last.inner_text() == "（空白消息）"  # its own bubble pair, not merged into the previous reply
        page.get_by_label("区（筛选）").click()
        option = page.get_by_role("option").nth(1)
        name = option.inner_text()
        option.click()
        note = page.locator("#qa-filter-note")
        note.locator(".qa-zh").get_by_text(name).wait_for(state="visible", timeout=10_000)  # a Chinese page's line
        assert "Filtered" not in note.inner_text()
        input_box = page.locator("#qa-input").bounding_box()
        note_box = note.bounding_box()
        assert abs(note_box["y"] - input_box["y"]) < 150  # next to the input, not below the fold with the filters
        note.scroll_into_view_if_needed()
        _shot(page, "library_phone_filter.png")
        assert blocked == [] and errors == []
    finally:
        ctx.close()


def test_english_browser_gets_an_english_page(server, browser):
    ctx, page, blocked, _ = _page(browser, server["base"], {"width": 1366, "height": 768}, locale="en-US")
    try:
        assert page.evaluate("document.documentElement.lang") == "en"
        page.get_by_role("tab", name="Library").wait_for(state="visible", timeout=10_000)
        assert page.get_by_role("button", name="Send").count() == 1
        # filled by the page's load event (no stale "0 秒" baked into the HTML): wait for it, don't race it
        page.wait_for_function("(document.querySelector('#qa-status')?.innerText || '').trim().length > 0",
                               timeout=15_000)
        assert "秒" not in page.locator("#qa-status").inner_text()
        # the status line is made on the server as the index changes; an English page shows it in English
        page.wait_for_function("(document.querySelector('#qa-status')?.innerText || '').includes('Ready:')",
                               timeout=60_000)
        shown = page.locator("#qa-status").inner_text()
        assert "documents" in shown and not any("\u4e00" <= ch <= "\u9fff" for ch in shown), shown
        # the no-filter choice reads "All"; choosing a district shows the filter note in English
        assert page.locator("#qa-side input").first.input_value() == "All"
        page.get_by_label("District (filter)").click()
        option = page.get_by_role("option").nth(1)
        name = option.inner_text()
        option.click()
        note = page.locator("#qa-filter-note")
        note.get_by_text("Filtered: searching only").wait_for(state="visible", timeout=10_000)
        assert name in note.inner_text() and "筛选" not in note.inner_text()
        _shot(page, "library_english_filtered.png")
        _shot(page, "library_english.png")
    finally:
        ctx.close()


_TABLE_PLAN = "\n".join([
    "宁城县人民政府办公室关于印发宁城县人均预期寿命提升行动计划的通知",
    "宁政办函〔2025〕9号",
    "各乡镇人民政府,县直各单位:",
    "《宁城县人均预期寿命提升行动计划主要目标任务》已经县人民政府同意,现印发给你们,请认真组织实施。",
    "宁城县人民政府办公室",
    "2025年4月30日",
    "宁城县人均预期寿命提升行动计划主要目标任务",
    # a web page's table flattened to one cell per line, as copying sites leave it
    *[f"{cell} |" for cell in ["序号", "指标名称", "单位", "2023年", "2025年", "2027年", "牵头单位",
                               "1", "人均预期寿命", "岁", "77.6", "≥78.9", "≥79.6", "县卫健局",
                               "2", "婴儿死亡率", "‰", "3.1", "≤4.5", "≤4.0", "县卫健局",
                               "3", "居民健康素养水平", "%", "28.2", "≥31", "≥33", "县卫健局"]],
])


def test_a_flattened_table_is_answered_row_by_row(server, browser, tmp_path):
    """Upload a web copy whose target table lost its layout; the answer shows the row's cells by column."""
    plan = tmp_path / "宁城县目标任务.txt"
    plan.write_text(_TABLE_PLAN, encoding="utf-8")
    base = server["base"]
    ctx, page, blocked, errors = _page(browser, base, {"width": 1366, "height": 768})
    try:
        n_docs = len(json.loads(urllib.request.urlopen(base + "/api/documents").read())["documents"])
        page.get_by_role("tab", name="文件库").click()
        page.locator("#qa-upload-file input[type=file]").set_input_files(str(plan))
        page.locator("#qa-review").wait_for(state="visible", timeout=60_000)
        assert page.locator("#qa-f-district textarea, #qa-f-district input").first.input_value() == "宁城县"
        page.locator("#qa-commit").click()
        page.get_by_text("已加入").first.wait_for(state="visible", timeout=30_000)
        _wait_status(page, f"{n_docs + 1} 份文件")
        page.get_by_role("tab", name="问答").click()
        answer = _ask(page, "宁城县2025年人均预期寿命的目标是多少岁？")
        first = answer.locator("p").filter(has_text="宁城县").first.inner_text()
        assert "人均预期寿命" in first and "2025年 ≥78.9" in first, answer.inner_text()
        assert "|" not in first
        answer.scroll_into_view_if_needed()
        _shot(page, "library_table_answer.png")
        page.set_viewport_size({"width": 390, "height": 844})
        answer.scroll_into_view_if_needed()
        _shot(page, "library_table_answer_phone.png")
        assert blocked == [] and errors == []
    finally:
        ctx.close()
