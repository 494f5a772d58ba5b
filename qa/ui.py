"""The Gradio chat page and the FastAPI app that serves it with the JSON API.

    app = create_app(retriever)            # tests: a ready retriever
    app = create_app(loader=Retriever.load)  # app.py: loads in the background

Gradio's message format ({"role", "content"} dicts, like events) stays in this
module; everything else talks in `Answer`/`AskResult`.
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile

# Forced, not a default: an inherited GRADIO_ANALYTICS_ENABLED=True used to win. Before gradio is imported.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"


def _private_temp_dir() -> str:
    """A per-process 0700 directory for Gradio's files, removed at exit.

    Gradio's default is a shared /tmp/gradio, left behind after shutdown, where session
    state was written world-readable. Set before gradio is imported (it reads the variable
    at import time); an explicit GRADIO_TEMP_DIR is kept, but only a fresh one is removed.
    """
    if os.environ.get("GRADIO_TEMP_DIR"):
        return os.environ["GRADIO_TEMP_DIR"]
    path = tempfile.mkdtemp(prefix="qa-gradio-")  # mode 0700
    os.environ["GRADIO_TEMP_DIR"] = path
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


GRADIO_TEMP_DIR = _private_temp_dir()

import gradio as gr  # noqa: E402

from .api import ALL, VOTES, Backend, BadRequest, add_routes  # noqa: E402
from .followup import MAX_HISTORY, bounded, bounded_history  # noqa: E402
from .guard import MAX_UPLOAD_BYTES, Guard  # noqa: E402
from .query import MAX_QUERY_CHARS, encodable, normalize_query  # noqa: E402
from .render import CSS, message_html, user_html  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLES = (
    "哪个区要求严重精神障碍患者报告患病率不低于4.5%？",
    "鼓楼区基本公共卫生服务补助标准是多少？",
    "哪些区提到了家庭医生签约服务？",
    "Which district targets a 4.5% reported prevalence?",
)
MODE_LABELS = {"hybrid": "混合（推荐）", "bm25": "关键词 BM25", "dense": "语义向量", "rrf": "RRF 融合"}
EMPTY_REPLY = "请输入一个问题，例如：“哪个区要求严重精神障碍患者报告患病率不低于4.5%？”"
# Chat turns answered at once. Gradio's default is 1: under load every user's question waited for
# everyone else's (8 clients: chat p50 870 ms against 90 ms for the same work via /api/ask).
# The pipeline is thread-safe; more than a few only contend for the same cores.
CHAT_WORKERS = 4
CHAT_QUEUE = 32  # chat turns that may wait for a worker; more are told the server is busy
LOADING_REPLY = "索引还在建立中，请稍等片刻再提问（页面右上角显示进度）。"
# After an answer arrives, scroll the chat so the question and the answer's first line are at the top
# (Gradio's autoscroll would show the end of the last citation instead).
SCROLL_JS = """() => { setTimeout(() => {
  const box = document.querySelector('#qa-chat');
  if (!box) return;
  const qs = box.querySelectorAll('.qa-q'), as = box.querySelectorAll('.qa-answer');
  const el = qs.length ? qs[qs.length - 1] : (as.length ? as[as.length - 1] : null);
  if (!el) return;
  let sc = el.parentElement;
  while (sc && sc !== box.parentElement && !(sc.scrollHeight > sc.clientHeight + 4 &&
         /(auto|scroll)/.test(getComputedStyle(sc).overflowY))) sc = sc.parentElement;
  if (sc) sc.scrollTop += el.getBoundingClientRect().top - sc.getBoundingClientRect().top - 44;
}, 150); }"""
PAGE_CSS = CSS + """
.gradio-container { max-width: 1340px !important; }
#qa-title h2 { margin: 0.1em 0; font-size: 1.25em; }
#qa-status { font-size: 0.9em; min-height: 1.4em; text-align: right; color: var(--body-text-color-subdued); }
#qa-side .gr-button { white-space: normal; text-align: left; }
.qa-example button, button.qa-example { font-size: 0.85em !important; text-align: left !important; }
"""


def _catalog_choices(backend: Backend) -> tuple[list[str], list[str]]:
    """District and year choices; from the catalogue while the index is still loading."""
    if backend.ready:
        r = backend.retriever
        return r.districts(), [str(y) for y in r.years()]
    from .documents import read_catalog

    metas = read_catalog()
    return sorted({m.district for m in metas if m.district}), sorted({str(m.year) for m in metas if m.year})


def _assistant(content: str) -> dict:
    return {"role": "assistant", "content": content}


def chat_reply(backend: Backend, message, history, district=ALL, year=ALL, k=3, mode="hybrid", memory=None):
    """One chat turn → ("" for the textbox, the history with the question and reply appended, new memory).

    Never raises: empty input, a refused filter, a server still loading and
    unexpected errors all become a reply in the chat.
    """
    history = list(history or [])
    memory = memory if isinstance(memory, dict) else {}
    # the session memory comes back from the browser: keep only what follow-ups use, bounded
    questions = memory.get("questions", [])
    memory = {"questions": bounded_history(q for q in questions[-MAX_HISTORY:] if isinstance(q, str))
              if isinstance(questions, list) else [], "answers": dict(memory.get("answers", {})) if isinstance(memory.get("answers"), dict) else {}}
    # lone surrogates ("\ud800", which a browser can send) cannot be encoded as UTF-8: keep them out of
    # the reply and the session memory (a 👍 on such an answer failed writing the feedback log).
    # Bounded first: a pasted megabyte is cut to MAX_QUERY_CHARS before any matching (the note says so).
    # (one character over the bound stays, so ask() still says the question was cut)
    text = encodable(message.lstrip()[: 2 * MAX_QUERY_CHARS + 1]) if isinstance(message, str) else ""
    if not normalize_query(text)[0]:  # also control characters only, which str.strip() keeps
        return "", history + [_assistant(message_html(EMPTY_REPLY))], memory
    history.append({"role": "user", "content": user_html(text)})
    if not backend.ready:
        return "", history + [_assistant(message_html(backend.error and backend.status() or LOADING_REPLY))], memory
    try:
        res = backend.ask(text, memory["questions"], k=int(k or 3), district=district, year=year,
                          mode=mode or "hybrid")
    except ValueError as e:  # a filter or question the retriever refused: say so in the chat
        return "", history + [_assistant(message_html(f"无法检索：{e}"))], memory
    except Exception:
        log.exception("answering %r failed", text[:200])
        return "", history + [_assistant(message_html("抱歉，处理这个问题时出错了，请换个说法再试。"))], memory
    memory["questions"] = (memory["questions"] + [bounded(text)[0]])[-MAX_HISTORY:]
    memory["answers"][str(len(history))] = {
        "question": text, "searched": res.searched, "abstained": res.answer.abstained,
        "answer": res.answer.lead, "chunk_ids": [c.hit.chunk_id for c in res.answer.citations],
    }
    return "", history + [_assistant(res.html)], memory


def build_blocks(backend: Backend) -> gr.Blocks:
    districts, years = _catalog_choices(backend)
    # delete_cache: uploaded and generated files older than an hour are removed every 10 minutes
    with gr.Blocks(title="卫生健康工作计划问答", delete_cache=(600, 3600)) as demo:
        # per-session memory: questions as typed (for follow-ups) and what each answer cited (for feedback)
        memory = gr.State({"questions": [], "answers": {}})
        with gr.Row(equal_height=True):
            gr.Markdown("## 卫生健康工作计划问答", elem_id="qa-title")
            status = gr.Markdown(backend.status(), elem_id="qa-status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=520):
                chatbot = gr.Chatbot(
                    label="问答（答案引用五个区卫生健康工作计划的原文）", height=560, latex_delimiters=[], feedback_options=("Like", "Dislike"),
                    placeholder="用中文或英文提问，答案会引用原文段落。点右侧示例试试。",
                    sanitize_html=True, autoscroll=False, elem_id="qa-chat",
                )
                with gr.Row():
                    msg = gr.Textbox(placeholder="输入问题，按回车发送，例如：鼓楼区有没有类似的要求？", show_label=False,
                                     scale=8, lines=1, max_lines=4, autofocus=True, elem_id="qa-input")
                    send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_classes="submit-button")
            with gr.Column(scale=2, min_width=260, elem_id="qa-side"):
                district = gr.Dropdown([ALL] + districts, value=ALL, label="区（筛选）")
                year = gr.Dropdown([ALL] + years, value=ALL, label="年份（筛选）")
                k = gr.Slider(1, 10, value=3, step=1, label="引用段落数")
                with gr.Accordion("高级", open=False):
                    mode = gr.Radio([(v, key) for key, v in MODE_LABELS.items()], value="hybrid", label="检索方式")
                gr.Markdown("**示例问题**（点击即问）")
                example_buttons = [gr.Button(q, size="sm", elem_classes="qa-example") for q in EXAMPLES]
                clear = gr.Button("清空对话", size="sm")

        def respond(message, history, district, year, k, mode, memory):
            return chat_reply(backend, message, history, district, year, k, mode, memory)

        def on_like(data: gr.LikeData, memory):
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            meta = memory.get("answers", {}).get(str(index))
            if meta is None:  # a like on a system message (empty question, loading…): nothing to learn from
                return
            liked = data.liked
            vote = "up" if liked is True or liked == "Like" else ("down" if liked is False or liked == "Dislike"
                                                                  else None)
            if vote not in VOTES:  # anything else is not a vote (it was logged verbatim, newlines and all)
                return
            try:
                backend.log_feedback({**meta, "vote": vote})
            except BadRequest:
                log.warning("feedback refused")

        def reset():
            return [], {"questions": [], "answers": {}}, ""

        def tick():
            if backend.ready or backend.error:
                return backend.status(), gr.Timer(active=False)
            return backend.status(), gr.Timer(active=True)

        inputs = [msg, chatbot, district, year, k, mode, memory]
        outputs = [msg, chatbot, memory]
        msg.submit(respond, inputs, outputs).then(None, None, None, js=SCROLL_JS)
        send.click(respond, inputs, outputs).then(None, None, None, js=SCROLL_JS)
        for b, q in zip(example_buttons, EXAMPLES):
            b.click(lambda q=q: q, None, msg).then(respond, inputs, outputs).then(None, None, None, js=SCROLL_JS)
        clear.click(reset, None, [chatbot, memory, msg])
        chatbot.clear(lambda: {"questions": [], "answers": {}}, None, memory)
        chatbot.like(on_like, [memory], None)
        timer = gr.Timer(1.0, active=not backend.ready)
        timer.tick(tick, None, [status, timer])
        demo.load(tick, None, [status, timer])
    demo.queue(default_concurrency_limit=CHAT_WORKERS, max_size=CHAT_QUEUE)
    return demo


def create_app(retriever=None, *, loader=None, feedback_log=None):
    """The FastAPI app: JSON API under /api, the chat page at /.

    Give a ready `retriever`, or a `loader` that makes one (run in a background
    thread when the server starts, so the page shows progress meanwhile).
    """
    from fastapi import FastAPI

    backend = Backend(retriever, loader=loader, feedback_log=feedback_log)
    app = FastAPI(title="卫生健康工作计划问答 API", docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.backend = backend
    app.add_middleware(Guard)  # limits, Origin check, security headers (qa.guard)
    add_routes(app, backend)
    blocks = build_blocks(backend)
    backend.start()  # at once, not on server start-up: the page then shows progress from its first request
    return gr.mount_gradio_app(app, blocks, path="/", ssr_mode=False, css=PAGE_CSS, footer_links=[],
                               max_file_size=MAX_UPLOAD_BYTES)
