"""The Gradio page (chat, document library, reader) and the FastAPI app that serves it with the JSON API.

    app = create_app(retriever)              # tests: a ready retriever
    app = create_app(loader=Retriever.load)  # app.py: loads in the background

Gradio's message format ({"role", "content"} dicts, like events) stays in this
module; everything else talks in `Answer`/`AskResult`.  The conversation and
its follow-up memory are kept in the browser (localStorage via BrowserState),
so a reload finds them again.
"""
from __future__ import annotations

import atexit
import html
import logging
import os
import secrets
import shutil
import tempfile
from pathlib import Path

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

from .api import ALL, VOTES, BadRequest, add_routes  # noqa: E402
from ..corpus.documents import DEFAULT_CORPUS  # noqa: E402
from ..answering.followup import MAX_HISTORY, bounded, bounded_history  # noqa: E402
from .guard import MAX_UPLOAD_BYTES, Guard  # noqa: E402
from ..library.auth import AdminPolicy  # noqa: E402
from ..library.reader import reader_html  # noqa: E402
from ..library.routes import add_library_routes  # noqa: E402
from ..library.service import LibraryBackend  # noqa: E402
from ..library.store import Library, Limits  # noqa: E402
from ..library.ui_tab import build_library_tab, library_html, place_choices, remove_choices, chunk_counts  # noqa: E402
from ..search.query import MAX_QUERY_CHARS, encodable, normalize_query  # noqa: E402
from ..answering.render import message_html, user_html  # noqa: E402
from .ui_assets import FOCUS_JS, HEAD, PAGE_CSS, READER_SCROLL_JS, SCROLL_JS, UI_STRINGS  # noqa: E402
from .ui_tools import message_with_tools  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLES = (
    "哪个区要求严重精神障碍患者报告患病率不低于4.5%？",
    "鼓楼区基本公共卫生服务补助标准是多少？",
    "哪些区提到了家庭医生签约服务？",
    "Which district targets a 4.5% reported prevalence?",
)
MODE_LABELS = {"hybrid": "混合（推荐）", "bm25": "关键词 BM25", "dense": "语义向量", "rrf": "RRF 融合"}
EMPTY_REPLY = "请输入一个问题，例如：“哪个区要求严重精神障碍患者报告患病率不低于4.5%？”"
EMPTY_SHOWN = "（空白消息）"
# Chat turns answered at once. Gradio's default is 1: under load every user's question waited for
# everyone else's (8 clients: chat p50 870 ms against 90 ms for the same work via /api/ask).
# The pipeline is thread-safe; more than a few only contend for the same cores.
CHAT_WORKERS = 4
CHAT_QUEUE = 32  # chat turns that may wait for a worker; more are told the server is busy
def status_html(backend) -> str:
    """The status line in both languages; the page shows the one of its own language (PAGE_CSS), as Gradio's
    i18n does for the fixed strings, since this line is made on the server as the index changes."""
    return "".join(f'<span class="qa-{lang}">{html.escape(backend.status(lang))}</span>' for lang in ("zh", "en"))


LOADING_REPLY = "索引还在建立中，请稍等片刻再提问（页面右上角显示进度）。"
MAX_SAVED_MESSAGES = 80  # kept in the browser; localStorage holds a few MB
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "data"
I18N = gr.I18n(**UI_STRINGS)
ALL_CHOICE = (I18N("all"), ALL)  # "All" on an English page; the value stays ALL, which the API also takes


def _empty_memory() -> dict:
    return {"questions": [], "answers": {}}


def _catalog_choices(backend) -> tuple[list[str], list[str]]:
    """District and year choices; from the catalogue while the index is still loading."""
    if backend.ready:
        r = backend.retriever
        return r.districts(), [str(y) for y in r.years()]
    from ..corpus.documents import read_catalog

    try:
        metas = read_catalog(getattr(backend, "corpus_dir", DEFAULT_CORPUS))
    except Exception:
        return [], []
    return sorted({m.district for m in metas if m.district}), sorted({str(m.year) for m in metas if m.year})


def _assistant(content: str) -> dict:
    return {"role": "assistant", "content": content}


def chat_reply(backend, message, history, district=ALL, year=ALL, k=3, mode="hybrid", memory=None):
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
        # its own bubble pair: a reply right after the previous answer would merge into that bubble
        history.append({"role": "user", "content": user_html(EMPTY_SHOWN)})
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
    return "", history + [_assistant(message_with_tools(res.html, text, res.answer))], memory


def filter_note(district, year) -> str:
    """The active filters, shown next to the input (on a phone the filter controls are out of sight)."""
    active = [x for x in (district, year) if x and x != ALL]
    if not active:
        return ""
    where = html.escape(" · ".join(map(str, active)))
    # both languages; the page's CSS shows its own (as for the status line)
    return (f'<span class="qa-zh">筛选中：只在 <b>{where}</b> 中检索（在“筛选”中改为“{ALL}”取消）</span>'
            f'<span class="qa-en">Filtered: searching only <b>{where}</b> (choose “All” in the filters to clear)</span>')


def saved_state(history, memory) -> dict:
    """What the browser keeps: the last messages and the matching follow-up memory."""
    history = _plain_messages(history)
    memory = memory if isinstance(memory, dict) else _empty_memory()
    cut = max(0, len(history) - MAX_SAVED_MESSAGES)
    answers = {str(int(i) - cut): v for i, v in memory.get("answers", {}).items() if str(i).isdigit() and int(i) >= cut}
    return {"history": history[cut:], "memory": {"questions": list(memory.get("questions", []))[-20:], "answers": answers}}


def _plain_messages(history) -> list[dict]:
    """Chat messages as {"role", "content": str}; Gradio 6 hands content back as a list of typed parts."""
    out = []
    for m in history or []:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        content = m.get("content")
        if isinstance(content, list):  # [{"type": "text", "text": …}, …]
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
        if not isinstance(content, str):
            continue
        text = content
        out.append({"role": m["role"], "content": text})
    return out


def restore_state(saved):
    if not isinstance(saved, dict) or not isinstance(saved.get("history"), list):
        return [], _empty_memory()
    history = _plain_messages(saved["history"])
    memory = saved.get("memory") if isinstance(saved.get("memory"), dict) else _empty_memory()
    return history, {"questions": [q for q in memory.get("questions", []) if isinstance(q, str)],
                     "answers": dict(memory.get("answers", {}))}


def open_reader(backend: LibraryBackend, request: str):
    """'chunk:<id>|nonce' or 'doc:<id>|nonce' → (reader column update, reader HTML)."""
    what = (request or "").rsplit("|", 1)[0]
    kind, _, ident = what.partition(":")
    r = backend.retriever
    if r is None or kind not in ("chunk", "doc") or not ident:
        return gr.update(visible=True), message_html("原文暂时无法打开：索引还在加载。")
    try:
        doc_id, target = (r.chunk(ident).doc_id, ident) if kind == "chunk" else (ident, None)
        meta, source = backend.library.source(doc_id)
    except Exception:  # a citation from before a removal, or a made-up id
        return gr.update(visible=True), message_html("找不到这份文件（可能已从文件库删除）。")
    chunks = [c for c in r.chunks if c.doc_id == doc_id]
    return gr.update(visible=True), reader_html(meta, source, chunks, target=target)


def build_blocks(backend: LibraryBackend, policy: AdminPolicy, *, secret: str) -> gr.Blocks:
    districts, years = _catalog_choices(backend)
    # delete_cache: uploaded and generated files older than an hour are removed every 10 minutes
    with gr.Blocks(title="卫生健康工作计划问答", delete_cache=(600, 3600)) as demo:
        # per-session memory: questions as typed (for follow-ups) and what each answer cited (for feedback)
        memory = gr.State(_empty_memory())
        saved = gr.BrowserState({"history": [], "memory": _empty_memory()}, storage_key="qa-conversation",
                                secret=secret)
        seen_build = gr.State("")
        with gr.Row(equal_height=True):
            gr.Markdown(I18N("title"), elem_id="qa-title")
            status = gr.Markdown("", elem_id="qa-status")  # filled on load: no stale "0 秒" flash
        with gr.Row(equal_height=False):
            with gr.Column(scale=5, min_width=320):
                with gr.Tabs(elem_id="qa-tabs"):
                    with gr.Tab(I18N("tab_chat"), id="chat", elem_id="qa-tab-chat"):
                        with gr.Row(equal_height=False):
                            with gr.Column(scale=4, min_width=320):
                                chatbot = gr.Chatbot(
                                    label=I18N("chat_label"), height=560, latex_delimiters=[],
                                    feedback_options=("Like", "Dislike"), placeholder=I18N("placeholder"),
                                    sanitize_html=True, autoscroll=False, elem_id="qa-chat", buttons=[],
                                )
                                note = gr.Markdown("", elem_id="qa-filter-note")
                                with gr.Row():
                                    # disabled until the load event has restored the saved conversation: a question
                                    # sent earlier had its answer overwritten by the (late) restore on a busy server
                                    msg = gr.Textbox(placeholder=I18N("input"), show_label=False, scale=8, lines=1,
                                                     max_lines=4, interactive=False, elem_id="qa-input")
                                    send = gr.Button(I18N("send"), variant="primary", scale=1, min_width=80,
                                                     interactive=False, elem_classes="submit-button")
                            with gr.Column(scale=2, min_width=240, elem_id="qa-side") as side:
                                district = gr.Dropdown([ALL_CHOICE] + districts, value=ALL, label=I18N("district"))
                                year = gr.Dropdown([ALL_CHOICE] + years, value=ALL, label=I18N("year"))
                                k = gr.Slider(1, 10, value=3, step=1, label=I18N("k"))
                                with gr.Accordion(I18N("advanced"), open=False):
                                    mode = gr.Radio([(v, key) for key, v in MODE_LABELS.items()], value="hybrid",
                                                    label=I18N("mode"))
                                gr.Markdown(I18N("examples"))
                                example_buttons = [gr.Button(q, size="sm", elem_classes="qa-example") for q in EXAMPLES]
                                clear = gr.Button(I18N("clear"), size="sm", elem_id="qa-clear")
                    with gr.Tab(I18N("tab_library"), id="library", elem_id="qa-tab-library"):
                        lib_tab = build_library_tab(backend, policy, I18N)
            with gr.Column(scale=4, min_width=320, visible=False, elem_id="qa-reader-col") as reader_col:
                with gr.Row():
                    gr.Markdown(I18N("reader"))
                    close = gr.Button(I18N("close"), size="sm", scale=0, min_width=60, elem_id="qa-reader-close")
                reader = gr.HTML("", elem_id="qa-reader")
        reader_req = gr.Textbox(visible="hidden", elem_id="qa-reader-req")
        reader_go = gr.Button("open", visible="hidden", elem_id="qa-reader-go")

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
            return [], _empty_memory(), "", saved_state([], _empty_memory())

        def tick(seen, query, where):
            build = backend.build_id
            if build == seen or not backend.ready:
                return status_html(backend), seen, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            # a new build (an upload, a removal, or `qa build` in a shell): refresh what lists documents
            ds, ys = _catalog_choices(backend)
            entries = backend.library.entries()
            return (status_html(backend), build, gr.update(choices=[ALL_CHOICE] + ds),
                    gr.update(choices=[ALL_CHOICE] + ys),
                    library_html(entries, chunk_counts(backend), query=query, place=where or ""),
                    gr.update(choices=[""] + place_choices(entries)), gr.update(choices=remove_choices(entries)))

        inputs = [msg, chatbot, district, year, k, mode, memory]
        outputs = [msg, chatbot, memory]
        save = dict(fn=saved_state, inputs=[chatbot, memory], outputs=saved, show_progress="hidden")
        msg.submit(respond, inputs, outputs).then(**save).then(None, None, None, js=SCROLL_JS)
        send.click(respond, inputs, outputs).then(**save).then(None, None, None, js=SCROLL_JS)
        for b, q in zip(example_buttons, EXAMPLES):
            b.click(lambda q=q: q, None, msg).then(respond, inputs, outputs).then(**save).then(
                None, None, None, js=SCROLL_JS)
        clear.click(reset, None, [chatbot, memory, msg, saved])
        chatbot.clear(lambda: (_empty_memory(), saved_state([], _empty_memory())), None, [memory, saved])
        chatbot.like(on_like, [memory], None)
        for dd in (district, year):
            dd.change(filter_note, [district, year], note, show_progress="hidden")
        # the reader takes the filters' place beside the chat (the active filter stays shown by the input)
        reader_go.click(lambda req: (*open_reader(backend, req), gr.update(visible=False)), [reader_req],
                        [reader_col, reader, side], show_progress="hidden").then(None, None, None, js=READER_SCROLL_JS)
        close.click(lambda: (gr.update(visible=False), gr.update(visible=True)), None, [reader_col, side])
        tick_out = [status, seen_build, district, year, lib_tab.list_html, lib_tab.place, lib_tab.remove_pick]
        timer = gr.Timer(2.0)
        timer.tick(tick, [seen_build, lib_tab.search, lib_tab.place], tick_out, show_progress="hidden")
        def on_load(saved_value):
            history, restored = restore_state(saved_value)
            enable = gr.update(interactive=True)
            return (history, restored, enable, enable, *[enable] * len(example_buttons))

        demo.load(on_load, [saved], [chatbot, memory, msg, send, *example_buttons]).then(
            None, None, None, js=FOCUS_JS).then(
            tick, [seen_build, lib_tab.search, lib_tab.place], tick_out, show_progress="hidden")
    demo.queue(default_concurrency_limit=CHAT_WORKERS, max_size=CHAT_QUEUE)
    return demo


def _browser_secret(data_dir: Path) -> str:
    """A per-installation key for the conversation kept in the browser (survives server restarts)."""
    path = data_dir / "browser_state.key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    key = secrets.token_hex(32)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
    except OSError:  # read-only or raced: this process's key still works until a restart
        pass
    return key


def create_app(retriever=None, *, loader=None, feedback_log=None, index_dir=None, corpus_dir=None, data_dir=None,
               admin_token: str = "", host: str = "127.0.0.1", limits: Limits | None = None, watch: bool = True):
    """The FastAPI app: JSON API under /api, the page at /.

    Give a ready `retriever`, or a `loader(progress=…)` that makes one (run in a
    background thread at once, so the page shows progress meanwhile).
    `admin_token`/`host` decide who may change the library (qa.library.auth).
    """
    from fastapi import FastAPI

    from ..indexing import index_store

    if retriever is not None:  # the library and the watcher follow the index the retriever came from
        if not retriever.in_database:
            index_dir = index_dir or retriever._data.directory.parent.parent
        corpus_dir = corpus_dir or retriever.corpus_dir
    index_dir = Path(index_dir or os.environ.get("QA_INDEX_DIR") or index_store.DEFAULT_INDEX)
    corpus_dir = Path(corpus_dir or os.environ.get("QA_CORPUS_DIR") or DEFAULT_CORPUS)
    data_dir = Path(data_dir or os.environ.get("QA_DATA_DIR") or DEFAULT_DATA)
    library = Library(corpus_dir, data_dir, limits=limits or Limits())
    backend = LibraryBackend(retriever, loader=None, feedback_log=feedback_log, index_dir=index_dir,
                             corpus_dir=corpus_dir, library=library, watch=watch)
    if loader is not None:
        def load_reporting():
            r = loader(progress=backend.report)
            backend.report("warmup", 0, 0)  # the model loads on the first question: ~10 s more
            return r

        backend._loader = load_reporting
    policy = AdminPolicy(token=admin_token or "", host=host)
    app = FastAPI(title="卫生健康工作计划问答 API", docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.backend = backend
    app.add_middleware(Guard)  # limits, Origin check, security headers (qa.web.guard)
    add_routes(app, backend)
    add_library_routes(app, backend, policy)
    blocks = build_blocks(backend, policy, secret=_browser_secret(data_dir))
    backend.start()  # at once, not on server start-up: the page then shows progress from its first request
    return gr.mount_gradio_app(app, blocks, path="/", ssr_mode=False, css=PAGE_CSS, footer_links=[], head=HEAD,
                               i18n=I18N, max_file_size=MAX_UPLOAD_BYTES)
