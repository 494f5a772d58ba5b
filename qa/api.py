"""The question-answering service behind the chat and the HTTP JSON API.

`Backend` owns the `Retriever` (loaded in a background thread so the web page
can show "正在建立索引…" while a first start builds the index), runs the
ask pipeline (follow-up rewrite → search → abstain? → extractive answer), and
appends feedback to a JSONL log. `add_routes` puts `/api/search`, `/api/ask`
and `/api/health` on a FastAPI app; every error a caller can cause is a 400
with {"error": …}, never a 500.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .answer import Answer
from .query import encodable
from .render import answer_html, answer_text
from .respond import respond, warm

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FEEDBACK_LOG = REPO_ROOT / "feedback" / "feedback.jsonl"
MAX_API_K = 50
ALL = "全部"  # the "no filter" choice in the UI; also accepted by the API


class BadRequest(ValueError):
    """A caller error; the message says what to send instead."""


class NotReady(RuntimeError):
    """The index is still being built or failed to load."""


@dataclass(frozen=True, slots=True)
class AskResult:
    question: str  # as typed
    searched: str  # after follow-up rewriting and normalisation
    note: str  # how the question was rewritten, or ""
    answer: Answer
    html: str


def feedback_log_path() -> Path:
    return Path(os.environ.get("QA_FEEDBACK_LOG") or DEFAULT_FEEDBACK_LOG)


def json_safe(obj: Any) -> Any:
    """Plain JSON types (numpy scalars → float/int, NaN → None, tuples → lists, lone surrogates → '?')."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, str):
        return encodable(obj)  # a lone surrogate cannot be written as UTF-8 (the feedback log failed on one)
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        return int(obj)
    try:
        f = float(obj)
    except (TypeError, ValueError):
        return str(obj)
    if math.isnan(f) or math.isinf(f):
        return None
    return int(f) if hasattr(obj, "dtype") and getattr(obj.dtype, "kind", "") in "iu" else f


def clean_filter(value: Any) -> Any:
    """'', None and 全部 mean no filter."""
    if value is None or (isinstance(value, str) and value.strip() in ("", ALL, "all", "All")):
        return None
    return value.strip() if isinstance(value, str) else value


class Backend:
    """The retriever plus its loading state; safe to share between request threads."""

    def __init__(self, retriever=None, *, loader: Callable[[], Any] | None = None, feedback_log: Path | None = None):
        self.retriever = retriever
        self._loader = loader
        self.error = ""
        self.started = time.monotonic()
        self.feedback_log = Path(feedback_log) if feedback_log else None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ loading
    @property
    def ready(self) -> bool:
        return self.retriever is not None

    def start(self) -> None:
        """Load the retriever in a background thread (no-op if already loaded or loading)."""
        if self.retriever is not None or self._loader is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._load, name="qa-index-loader", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            log.info("loading the index (a first start builds it; this can take a minute)…")
            r = self._loader()
            r.search("卫生健康", k=1)  # warm-up: the embedding model loads lazily; the first user should not wait
            log.info("answer sentences: %s", warm(r))
            self.retriever = r
            log.info("index ready after %.1f s%s", time.monotonic() - self.started,
                     " (built now)" if getattr(r, "built_now", False) else "")
        except Exception as e:  # shown in the page and the API instead of a dead server
            log.exception("loading the index failed")
            self.error = f"{type(e).__name__}: {e}"

    def status(self) -> str:
        if self.retriever is not None:
            r = self.retriever
            return f"状态：已就绪（{len(r.metas)} 份文件，{len(r.chunks)} 个段落）"
        if self.error:
            return f"状态：索引加载失败 —— {self.error}"
        return f"状态：正在建立索引…（首次启动需要一两分钟，已用 {time.monotonic() - self.started:.0f} 秒）"

    def require(self):
        if self.retriever is None:
            raise NotReady(self.error or "the index is still loading; try again in a minute")
        return self.retriever

    # ------------------------------------------------------------ pipeline
    def search(self, q: str, *, k: int = 10, district=None, year=None, mode: str = "hybrid"):
        r = self.require()
        return r.search(q, k=k, district=clean_filter(district), year=clean_filter(year), mode=mode or "hybrid")

    def ask(self, question: str, history: list[str] | None = None, *, k: int = 3, district=None, year=None,
            mode: str = "hybrid") -> AskResult:
        """Answer `question` given earlier typed questions. ValueError on empty/bad input."""
        r = self.require()
        res = respond(r, question, history, k=k, district=clean_filter(district), year=clean_filter(year),
                      mode=mode or "hybrid", sections=self.section_text)
        return AskResult(question, res.searched, res.note, res.answer,
                         answer_html(res.answer, question=question, note=res.note))

    def section_text(self, chunk_id: str) -> str:
        r = self.require()
        return "\n".join(c.text for c in r.section_chunks(chunk_id))

    # ------------------------------------------------------------ feedback
    def log_feedback(self, record: dict) -> Path:
        """Append one JSON line (with a UTC timestamp) to the feedback log."""
        path = self.feedback_log or feedback_log_path()
        row = {"ts": datetime.now(timezone.utc).isoformat(timespec="seconds"), **record}
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(json_safe(row), ensure_ascii=False) + "\n")
        log.info("feedback %s logged to %s", record.get("vote"), path)
        return path


# ---------------------------------------------------------------- request parsing
def parse_k(value: Any, default: int) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise BadRequest(f"k must be an integer from 1 to {MAX_API_K}, not {value!r}")
    try:
        k = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise BadRequest(f"k must be an integer from 1 to {MAX_API_K}, not {value!r}") from None
    if not 1 <= k <= MAX_API_K:
        raise BadRequest(f"k must be from 1 to {MAX_API_K}, not {k}")
    return k


def parse_question(value: Any, name: str) -> str:
    if value is None:
        raise BadRequest(f"missing {name}: send a question, e.g. {name}=哪个区要求报告患病率不低于4.5%？")
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise BadRequest(f"{name} is empty: send a question, e.g. 哪个区要求报告患病率不低于4.5%？")
    # a lone surrogate ("\ud800" in the JSON body) would otherwise be echoed back and fail the
    # response's UTF-8 encoding: a 500 instead of an answer
    return encodable(value)


def parse_filter(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return clean_filter(value)
    if name == "year" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadRequest(f"{name} must be a string, not {type(value).__name__}")


def message_text(content: Any) -> str:
    """The text of a chat message's content: a string, or a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "") if content.get("type", "text") == "text" else ""
    if isinstance(content, list):
        return " ".join(message_text(p) for p in content).strip()
    raise BadRequest("history message content must be a string or a list of text parts")


def parse_history(value: Any) -> list[str]:
    """Earlier user questions from a list of strings or {"role", "content"} messages."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest("history must be a list of earlier questions or {role, content} messages")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(encodable(item))
        elif isinstance(item, dict) and "content" in item:
            if item.get("role", "user") == "user":
                out.append(encodable(message_text(item["content"])))
        else:
            raise BadRequest("each history item must be a string or a {role, content} message")
    return out


# ---------------------------------------------------------------- routes
def hit_json(hit) -> dict:
    return json_safe(dataclasses.asdict(hit))


def citations_json(answer: Answer) -> list[dict]:
    return [{"n": c.n, "chunk_id": c.hit.chunk_id, "doc_id": c.hit.doc_id, "district": c.hit.district,
             "city": c.hit.city, "title": c.hit.title, "section": c.hit.section, "text": c.hit.text,
             "start": c.hit.start, "end": c.hit.end, "used": c.used} for c in answer.citations]


def add_routes(app, backend: Backend) -> None:
    """GET /api/search, POST /api/ask, GET /api/health on a FastAPI app."""

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    # The handlers are async (they await the body) but searching is CPU work: run on the event loop,
    # one search stalls every other request — page loads, /api/health, the chat's event stream — for
    # as long as it takes (a 1000-character question: ~1.7 s to embed). So it runs in a worker thread.
    def guarded(fn):
        # one place that turns caller errors into 400 and "still loading" into 503
        async def wrapper(request: Request):
            try:
                return await fn(request)
            except NotReady as e:
                return error(503, f"not ready: {e}")
            except (BadRequest, ValueError, TypeError) as e:
                return error(400, str(e))
        wrapper.__name__ = fn.__name__
        return wrapper

    @app.get("/api/health")
    async def health():
        return {"ready": backend.ready, "status": backend.status(), "error": backend.error}

    @guarded
    async def api_search(request: Request):
        p = request.query_params
        q = parse_question(p.get("q"), "q")
        k = parse_k(p.get("k"), 10)
        district, year = parse_filter(p.get("district"), "district"), parse_filter(p.get("year"), "year")
        mode = p.get("mode") or "hybrid"
        r = backend.require()
        hits = await run_in_threadpool(backend.search, q, k=k, district=district, year=year, mode=mode)
        analyzed = r.analyze(q)
        return {"query": q, "searched": analyzed.text, "notes": list(analyzed.notes), "hits": [hit_json(h) for h in hits]}

    @guarded
    async def api_ask(request: Request):
        try:
            body = json.loads(await request.body() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise BadRequest(f"the body must be JSON like {{\"question\": \"…\"}}: {e}") from None
        if not isinstance(body, dict):
            raise BadRequest('the body must be a JSON object like {"question": "…"}')
        question = parse_question(body.get("question"), "question")
        history = parse_history(body.get("history"))
        k = parse_k(body.get("k"), 3)
        mode = body.get("mode") or "hybrid"
        if not isinstance(mode, str):
            raise BadRequest("mode must be a string")
        res = await run_in_threadpool(backend.ask, question, history, k=k,
                                      district=parse_filter(body.get("district"), "district"),
                                      year=parse_filter(body.get("year"), "year"), mode=mode)
        return {"question": question, "answer": answer_text(res.answer, with_citations=False),
                "answer_html": res.html, "searched": res.searched, "note": res.note,
                "abstained": res.answer.abstained, "confidence": res.answer.confidence,
                "districts": list(res.answer.districts),
                "citations": citations_json(res.answer)}

    app.add_api_route("/api/search", api_search, methods=["GET"])
    app.add_api_route("/api/ask", api_ask, methods=["POST"])
