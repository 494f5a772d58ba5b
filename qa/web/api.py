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

from ..answering.answer import Answer
from ..answering.followup import MAX_HISTORY, bounded, bounded_history
from ..search.query import MAX_QUERY_CHARS, encodable
from ..answering.render import answer_html, answer_text
from ..answering.respond import respond, warm
from .workers import Busy, Lanes, TimedOut

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FEEDBACK_LOG = REPO_ROOT / "feedback" / "feedback.jsonl"
MAX_API_K = 50
ALL = "全部"  # the "no filter" choice in the UI; also accepted by the API
# Feedback: what a vote may be, and how much of each field is kept. Before, any value was
# accepted and 10 votes on a 1 MB question grew the log by 31 MB in 0.2 s.
VOTES = ("up", "down")
MAX_FEEDBACK_FIELD = 2000  # characters of any one text field (a question is ≤ 1000)
MAX_FEEDBACK_ITEMS = 50  # entries of any one list (cited chunk ids: ≤ 10)
MAX_FEEDBACK_LOG_BYTES = 64 * 2**20  # the log stops growing here (and says so in the server log)
MAX_MESSAGE_DEPTH = 4  # a chat message's content: a string, or a list of parts, each maybe with a text


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
        self.lanes = Lanes()  # bounded threads for API questions (429 when full)

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

    @property
    def build_id(self) -> str:
        """The name of the index build being served ("" while loading)."""
        return getattr(self.retriever, "build_id", "") or ""

    def status(self, lang: str = "zh") -> str:
        """The status line, in Chinese or (lang "en") English."""
        en = lang == "en"
        if self.retriever is not None:
            r = self.retriever
            if en:
                return f"Ready: {len(r.metas)} documents, {len(r.chunks)} passages"
            return f"状态：已就绪（{len(r.metas)} 份文件，{len(r.chunks)} 个段落）"
        if self.error:
            return f"Loading the index failed — {self.error}" if en else f"状态：索引加载失败 —— {self.error}"
        took = f"{time.monotonic() - self.started:.0f}"
        if en:
            return f"Building the index… (a first start takes a minute or two; {took} s so far)"
        return f"状态：正在建立索引…（首次启动需要一两分钟，已用 {took} 秒）"

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
        # bounded before anything else looks at it: every step below is then linear in ≤ 1000 characters
        typed_text = question if isinstance(question, str) else ""
        question, cut = bounded(question)
        history = bounded_history(history)
        res = respond(r, question, history, k=k, district=clean_filter(district), year=clean_filter(year),
                      mode=mode or "hybrid", sections=self.section_text)
        note = res.note
        if cut:  # say so: the rest of a pasted text was not searched
            cut = (f"question truncated to {MAX_QUERY_CHARS} characters" if res.answer.lang == "en"
                   else f"问题过长，只检索了前 {MAX_QUERY_CHARS} 个字符")
            note = f"{note}; {cut}" if note else cut
        return AskResult(question, res.searched, note, res.answer, answer_html(res.answer, question=typed_text, note=note))

    def section_text(self, chunk_id: str) -> str:
        r = self.require()
        return "\n".join(c.text for c in r.section_chunks(chunk_id))

    # ------------------------------------------------------------ feedback
    def log_feedback(self, record: dict) -> Path:
        """Append one JSON line (with a UTC timestamp) to the feedback log.

        `record["vote"]` must be one of VOTES (BadRequest otherwise); text fields are
        capped, and the line is escaped so no field can start a line of its own.
        """
        vote = record.get("vote")
        if vote not in VOTES:
            raise BadRequest(f"vote must be one of {list(VOTES)}")
        path = self.feedback_log or feedback_log_path()
        row = {"ts": datetime.now(timezone.utc).isoformat(timespec="seconds"), **_capped(record)}
        line = _one_line(json.dumps(json_safe(row), ensure_ascii=False)) + "\n"
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            size = path.stat().st_size if path.exists() else 0
            if size + len(line.encode("utf-8")) > MAX_FEEDBACK_LOG_BYTES:
                log.warning("feedback log %s is over %d MiB: vote not recorded; move the file away to resume",
                            path, MAX_FEEDBACK_LOG_BYTES >> 20)
                return path
            with path.open("a", encoding="utf-8") as f:
                f.write(line)
        log.info("feedback %s logged to %s", vote, path)  # vote is from VOTES: nothing to forge a log line with
        return path


def _capped(value: Any, depth: int = 0) -> Any:
    """value with strings cut to MAX_FEEDBACK_FIELD and lists to MAX_FEEDBACK_ITEMS (3 levels deep)."""
    if isinstance(value, str):
        return value[:MAX_FEEDBACK_FIELD]
    if depth >= 3:
        return None
    if isinstance(value, dict):
        return {str(k)[:100]: _capped(v, depth + 1) for k, v in list(value.items())[:MAX_FEEDBACK_ITEMS]}
    if isinstance(value, (list, tuple)):
        return [_capped(v, depth + 1) for v in list(value)[:MAX_FEEDBACK_ITEMS]]
    return value


# json.dumps escapes \n and \r, but with ensure_ascii=False it leaves the other characters that
# str.splitlines() and many JSONL readers treat as line ends: one such character in a question
# would split a record in two (or forge a second one)
_LINE_BREAKS = {c: f"\\u{ord(c):04x}" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


def _one_line(text: str) -> str:
    return text.translate(str.maketrans(_LINE_BREAKS))


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


def message_text(content: Any, depth: int = 0) -> str:
    """The text of a chat message's content: a string, or a list of typed parts."""
    if depth > MAX_MESSAGE_DEPTH:  # a message nested 900 deep was a RecursionError: a plain-text 500
        raise BadRequest(f"history message content is nested more than {MAX_MESSAGE_DEPTH} levels deep")
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        if content.get("type", "text") != "text":
            return ""
        inner = content.get("text") or content.get("content") or ""
        return message_text(inner, depth + 1) if isinstance(inner, (str, list, dict)) else str(inner)
    if isinstance(content, list):
        return " ".join(message_text(p, depth + 1) for p in content[:MAX_FEEDBACK_ITEMS]).strip()
    raise BadRequest("history message content must be a string or a list of text parts")


def parse_history(value: Any) -> list[str]:
    """Earlier user questions from a list of strings or {"role", "content"} messages."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest("history must be a list of earlier questions or {role, content} messages")
    out = []
    # only the latest questions are used (followup.MAX_HISTORY user turns; assistant turns in between)
    for item in value[-4 * MAX_HISTORY:]:
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
             "start": c.hit.start, "end": c.hit.end, "used": c.used,
             # where in "text" the answer line citing it stands, so an embedder can show the same excerpt
             "quote": list(c.focus) if c.focus else None} for c in answer.citations]


def add_routes(app, backend: Backend) -> None:
    """GET /api/search, POST /api/ask, GET /api/health on a FastAPI app."""

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    # The handlers are async (they await the body) but searching is CPU work: run on the event loop,
    # one search stalls every other request — page loads, /api/health, the chat's event stream — for
    # as long as it takes (a 1000-character question: ~1.7 s to embed). So it runs in a worker thread
    # of a bounded lane (qa.web.workers): a full lane is a 429 at once, a request over its budget a 503.
    def guarded(fn):
        # one place that turns caller errors into 400 and "still loading"/"busy" into 503/429
        async def wrapper(request: Request):
            try:
                return await fn(request)
            except NotReady as e:
                return error(503, f"not ready: {e}")
            except Busy as e:
                return JSONResponse({"error": str(e)}, status_code=429, headers={"Retry-After": "2"})
            except TimedOut as e:
                return error(503, str(e))
            except (BadRequest, ValueError, TypeError) as e:
                return error(400, str(e))
        wrapper.__name__ = fn.__name__
        return wrapper

    @app.get("/api/health")
    async def health():
        return {"ready": backend.ready, "status": backend.status(), "error": backend.error, "build": backend.build_id}

    @guarded
    async def api_search(request: Request):
        p = request.query_params
        q = parse_question(p.get("q"), "q")
        k = parse_k(p.get("k"), 10)
        district, year = parse_filter(p.get("district"), "district"), parse_filter(p.get("year"), "year")
        mode = p.get("mode") or "hybrid"
        r = backend.require()

        def work():
            return backend.search(q, k=k, district=district, year=year, mode=mode), r.analyze(q)

        hits, analyzed = await backend.lanes.run(min(len(q), 2 * MAX_QUERY_CHARS), work)
        return {"query": q, "searched": analyzed.text, "notes": list(analyzed.notes), "hits": [hit_json(h) for h in hits]}

    @guarded
    async def api_ask(request: Request):
        try:
            body = json.loads(await request.body() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise BadRequest(f"the body must be JSON like {{\"question\": \"…\"}}: {e}") from None
        except RecursionError:  # "[" × 100000: was a plain-text 500
            raise BadRequest("the body is JSON nested too deeply; send {\"question\": \"…\"}") from None
        if not isinstance(body, dict):
            raise BadRequest('the body must be a JSON object like {"question": "…"}')
        question = parse_question(body.get("question"), "question")
        history = parse_history(body.get("history"))
        k = parse_k(body.get("k"), 3)
        mode = body.get("mode") or "hybrid"
        if not isinstance(mode, str):
            raise BadRequest("mode must be a string")
        # the lane is chosen by what will be embedded (the question); history only costs place matching
        chars = min(len(question), 2 * MAX_QUERY_CHARS) + sum(min(len(h), MAX_QUERY_CHARS) for h in history) // 20
        res = await backend.lanes.run(chars, backend.ask, question, history, k=k,
                                      district=parse_filter(body.get("district"), "district"),
                                      year=parse_filter(body.get("year"), "year"), mode=mode)
        return {"question": res.question, "answer": answer_text(res.answer, with_citations=False),
                "answer_html": res.html, "searched": res.searched, "note": res.note,
                "abstained": res.answer.abstained, "confidence": res.answer.confidence,
                "abstain_reason": res.answer.why,  # which rule abstained ("" when it answers)
                "districts": list(res.answer.districts),
                "citations": citations_json(res.answer)}

    app.add_api_route("/api/search", api_search, methods=["GET"])
    app.add_api_route("/api/ask", api_ask, methods=["POST"])
