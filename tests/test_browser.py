"""The chat page in a real browser: `python app.py` (real model and index) driven by Chromium.

Screenshots (1366×768) go to tests/artifacts/. The page must work offline:
every request to a host other than loopback is blocked and the test asserts
none was attempted.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from live_app import live_app, wait_chat_ready

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START_TIMEOUT = 420  # s: a first start converts the model, exports it to ONNX (once) and builds the index
REPLY_TIMEOUT = 60_000  # ms
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium fonts-wqy-zenhei", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (no `playwright install` needed)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python app.py --port <free>` until the index is ready; killed (by its pid) at teardown."""
    with live_app(tmp_path_factory.mktemp("browser"), timeout=START_TIMEOUT) as (base, feedback, log_path):
        yield {"url": base + "/", "feedback": feedback, "log": log_path}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def session(server, browser):
    """One chat page for the whole conversation (follow-ups need the earlier turns)."""
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")  # the UI follows the browser language
    blocked: list[str] = []
    dialogs: list[str] = []

    def only_loopback(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost", "::1"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def on_dialog(d):
        dialogs.append(d.message)
        d.dismiss()

    page.route("**/*", only_loopback)
    page.on("dialog", on_dialog)
    page.goto(server["url"])
    wait_chat_ready(page)
    ARTIFACTS.mkdir(exist_ok=True)
    yield {"page": page, "blocked": blocked, "dialogs": dialogs, **server}
    page.close()


def ask(page, question: str):
    """Type a question, send it, and return the locator of the new answer."""
    answers = page.locator("#qa-chat .qa-answer")
    before = answers.count()
    box = page.locator("#qa-input textarea")
    box.fill(question)
    box.press("Enter")
    answers.nth(before).wait_for(state="visible", timeout=REPLY_TIMEOUT)
    time.sleep(0.8)  # let the spinner go and the scroll settle before a screenshot
    return answers.nth(before)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name))


def test_chinese_question_names_the_district_and_cites_the_passage(session):
    page = session["page"]
    answer = ask(page, "哪个区要求严重精神障碍患者报告患病率不低于4.5%？")
    lead = answer.locator(".qa-heading").inner_text()
    assert "卫东区" in lead
    assert "报告患病率不低于4.5%" in answer.inner_text()
    assert "报告患病率不低于4.5%" in answer.locator(".qa-passage").first.inner_text()
    assert answer.locator("mark", has_text="4.5%").count() >= 1
    shot(page, "zh_answer.png")


def test_english_question_gets_weidong_and_the_chinese_passage(session):
    page = session["page"]
    answer = ask(page, "Which district targets a 4.5% reported prevalence?")
    text = answer.inner_text()
    assert "Weidong" in text and "卫东区" in text
    assert "报告患病率不低于4.5%" in text
    shot(page, "en_answer.png")


def test_follow_up_switches_the_district_and_shows_the_searched_query(session):
    page = session["page"]
    # the turn it follows is asked here, so the test holds when run on its own too
    ask(page, "Which district targets a 4.5% reported prevalence?")
    answer = ask(page, "那鼓楼区呢？")
    searched = answer.locator(".qa-searched").inner_text()
    assert searched.startswith(("检索：", "Searched: ")) and "鼓楼区" in searched
    heads = answer.locator(".qa-cite-head").all_inner_texts()
    assert heads and all("鼓楼区" in h for h in heads)
    shot(page, "followup.png")


def test_expanding_a_citation_shows_the_whole_section(session):
    page = session["page"]
    # the first answer (a long cited passage); the last, a follow-up, may abstain on short passages
    answer = page.locator("#qa-chat .qa-answer").first
    # "show whole section" is offered only where it adds text (an excerpt or a longer section)
    cite = answer.locator(".qa-cite", has=page.locator("details")).first
    details = cite.locator("details")
    section = details.locator(".qa-section")
    assert not section.is_visible()
    details.locator("summary").click()
    section.wait_for(state="visible", timeout=5_000)
    assert details.get_attribute("open") is not None
    whole = section.inner_text()
    passage = cite.locator(".qa-passage").inner_text().strip("…")
    assert len(whole) >= len(passage) and passage[:20] in whole
    section.scroll_into_view_if_needed()
    time.sleep(0.3)
    shot(page, "expanded.png")


def test_html_in_a_question_is_shown_as_text_and_never_runs(session):
    page = session["page"]
    ask(page, XSS)
    bubble = page.locator("#qa-chat .qa-q").last
    assert bubble.inner_text() == XSS
    assert page.locator("#qa-chat img[src='x']").count() == 0
    time.sleep(0.5)
    assert session["dialogs"] == []
    shot(page, "xss.png")


def test_thumbs_up_is_logged(session):
    page = session["page"]
    feedback: Path = session["feedback"]
    n_before = len(feedback.read_text(encoding="utf-8").splitlines()) if feedback.exists() else 0
    page.locator("#qa-chat button[aria-label='赞'], #qa-chat button[aria-label='Like']").first.click()  # zh-CN / en label
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if feedback.exists() and len(feedback.read_text(encoding="utf-8").splitlines()) > n_before:
            break
        time.sleep(0.2)
    rows = [json.loads(x) for x in feedback.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == n_before + 1
    row = rows[-1]
    assert row["vote"] == "up" and row["question"] and row["chunk_ids"] and row["ts"]
    assert "searched" in row


def test_empty_question_gets_a_friendly_reply(session):
    page = session["page"]
    answer = ask(page, "   ")
    assert "请输入" in answer.inner_text()


def test_a_figure_the_plan_does_not_state_is_said_to_be_missing(session):
    # the plan speaks of its budget's topic nowhere with 亿元: the first line says the figure is not given,
    # and the related passages are still shown for reference — on a desktop and on a phone
    page = session["page"]
    answer = ask(page, "鼓楼区2021年卫生健康总预算是多少亿元？")
    text = answer.inner_text()
    assert "文件中没有给出所问的数字" in text, text
    assert answer.locator(".qa-passage").count() >= 1
    answer.scroll_into_view_if_needed()
    time.sleep(0.3)
    shot(page, "no_figure.png")
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        answer.scroll_into_view_if_needed()
        time.sleep(0.5)
        shot(page, "no_figure_phone.png")
    finally:
        page.set_viewport_size({"width": 1366, "height": 768})


def test_an_english_figure_question_the_plan_gives_no_figure_for_says_so(session):
    # asked in English for a sum the named plan never states: the first line says so, in English, and the
    # closest passages stay below for reference
    page = session["page"]
    answer = ask(page, "How much money will Weidong spend on the new hospital?")
    text = answer.inner_text()
    assert "The documents state no such figure" in text, text
    assert answer.locator(".qa-passage").count() >= 1
    answer.scroll_into_view_if_needed()
    time.sleep(0.3)
    shot(page, "no_figure_en.png")


def test_a_question_about_what_the_plans_never_name_or_explain_says_so(session):
    # a thing no document names (malaria: 疟疾 in no plan), a disease the plan asked about never names, and a
    # coined term a plan uses without explaining it: the first line says which, and the closest passages
    # stay below — on a desktop and on a phone
    page = session["page"]
    answer = ask(page, "What malaria control measures does Weidong plan?")
    assert answer.locator(".qa-abstain").inner_text().startswith("No document mentions malaria."), answer.inner_text()
    assert answer.locator(".qa-passage").count() >= 1
    # a disease the named plan never writes: which plan, and which disease
    answer = ask(page, "卫东区对手足口病防控有什么安排？")
    assert answer.locator(".qa-abstain").inner_text().startswith("卫东区的文件中没有提到手足口病。"), answer.inner_text()
    assert answer.locator(".qa-passage").count() >= 1
    answer.scroll_into_view_if_needed()
    time.sleep(0.3)
    shot(page, "not_mentioned.png")
    answer = ask(page, "嘉定区的“防护五还要”具体是指什么？")
    text = answer.inner_text()
    assert "文件提到了“防护五还要”，但没有说明它具体指什么" in text, text
    assert answer.locator(".qa-passage", has_text="防护五还要").count() >= 1
    answer.scroll_into_view_if_needed()
    time.sleep(0.3)
    shot(page, "not_explained.png")
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        answer.evaluate("e => e.scrollIntoView({block: 'start'})")  # the first line, which says what is missing
        time.sleep(0.5)
        shot(page, "not_explained_phone.png")
    finally:
        page.set_viewport_size({"width": 1366, "height": 768})


def test_no_request_left_the_machine(session):
    assert session["blocked"] == [], session["blocked"]


def test_district_filter_example_button_and_clear(session):
    page = session["page"]
    page.get_by_label("区（筛选）").click()
    page.get_by_role("option", name="鼓楼区").click()
    answers = page.locator("#qa-chat .qa-answer")
    before = answers.count()
    page.get_by_role("button", name="哪些区提到了家庭医生签约服务？").click()
    answers.nth(before).wait_for(state="visible", timeout=REPLY_TIMEOUT)
    time.sleep(0.8)
    heads = answers.nth(before).locator(".qa-cite-head").all_inner_texts()
    assert heads and all("鼓楼区" in h for h in heads)
    shot(page, "filtered_example.png")
    page.locator("#qa-clear").click()  # (the chatbot's own trash icon has the same name in zh-CN)
    page.wait_for_function("document.querySelectorAll('#qa-chat .qa-answer').length === 0", timeout=10_000)
