"""The outermost layer of the web app: limits and headers for every request.

`Guard` is plain ASGI middleware wrapped around the FastAPI app (the JSON API
and the mounted Gradio page).  Before a request reaches either it checks:

* the URL's length (414) — uvicorn is given room to read long request lines
  (`SERVER_OPTIONS`) so that they get this answer instead of a reset connection;
* that a browser request changing state comes from this server's own page
  (Origin / Sec-Fetch-Site; 403) — any web page a user opens can otherwise post
  to a server on 127.0.0.1;
* that `/api/*` POSTs are JSON (415), use a method the route has (405) and name
  a route that exists (404), all answered as {"error": …};
* the body size, counted as it arrives (413), whatever Content-Length claims;
* Gradio's deep-link endpoint, which writes a session's state to a shared
  temporary directory: not used by this app, so not served (404).

Every response gets security headers (CSP, frame-ancestors / X-Frame-Options,
nosniff, no referrer), and an unexpected error under `/api/` is a JSON 500.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

MAX_URL_BYTES = 64 * 1024  # path + query: a question of a few thousand characters percent-encoded fits; 100 kB does not
MAX_API_BODY = 256 * 1024  # a question + 20 history questions of 1000 characters, JSON-escaped, fits
MAX_UPLOAD_BYTES = 20 * 2**20  # the ingest limit (qa.corpus.ingest.MAX_BYTES)
MAX_OTHER_BODY = 8 * 2**20  # Gradio's event posts carry the chat history's HTML
API_ROUTES = {"/api/search": ("GET", "HEAD"), "/api/ask": ("POST",), "/api/health": ("GET", "HEAD"),
              "/api/docs": ("GET", "HEAD"), "/api/openapi.json": ("GET", "HEAD")}
# what an upload may be: the types `qa add` reads (qa.corpus.ingest.SUFFIXES)
UPLOAD_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")  # qa add + the library's saved web pages
_FILENAME = re.compile(rb'filename\*?="?([^"\r\n;]*)', re.IGNORECASE)
# the document library (qa.library.routes): uploads are multipart, a commit by upload_id a form or JSON
DOCUMENTS = "/api/documents"
_POST_TYPES = {DOCUMENTS: ("multipart/form-data", "application/x-www-form-urlencoded", "application/json")}


def api_methods(path: str) -> tuple[str, ...] | None:
    """The methods an /api/ path takes, or None for no such route."""
    path = path.rstrip("/") or path
    if path == DOCUMENTS:
        return ("GET", "HEAD", "POST")
    if path.startswith(DOCUMENTS + "/") and "/" not in path[len(DOCUMENTS) + 1:]:
        return ("GET", "HEAD", "DELETE")
    return API_ROUTES.get(path)


BLOCKED_PATHS = ("/gradio_api/deep_link",)
UPLOAD_PATHS = ("/gradio_api/upload", "/upload")
# uvicorn.run(**SERVER_OPTIONS): h11 drops a request whose head exceeds its 16 kB default with a reset;
# a larger head buffer lets the Guard answer 414 instead (the head stays bounded: 1 MiB)
SERVER_OPTIONS: dict[str, Any] = {"http": "h11", "h11_max_incomplete_event_size": 1024 * 1024}
# Gradio's page needs inline scripts/styles and eval (event handlers' js=); everything else is same-origin
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob: data:; connect-src 'self'; "
       "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def same_origin(headers: dict[str, str], scheme: str) -> bool:
    """True unless the request says it comes from another site's page."""
    if headers.get("sec-fetch-site", "") in ("cross-site", "same-site"):
        return False
    origin = headers.get("origin")
    if origin is None:  # not sent by a browser's cross-origin fetch (curl, tests, same-origin GETs)
        return True
    parts = urlsplit(origin)
    return origin != "null" and parts.scheme == scheme and parts.netloc.lower() == headers.get("host", "").lower()


class Guard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "GET")
        headers = _headers(scope)
        is_api = path.startswith("/api/") or path == "/api"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *((k, v) for k, v in SECURITY_HEADERS if k not in have)]}
            await send(message)

        async def refuse(status: int, error: str, extra: list | None = None):
            body = json.dumps({"error": error}, ensure_ascii=False).encode("utf-8")
            await send_with_headers({"type": "http.response.start", "status": status, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]})
            await send_with_headers({"type": "http.response.body", "body": body})

        url_bytes = len(scope.get("raw_path") or path.encode()) + len(scope.get("query_string", b""))
        if url_bytes > MAX_URL_BYTES:
            return await refuse(414, f"the URL is {url_bytes} bytes; the limit is {MAX_URL_BYTES} "
                                     "(send long questions to POST /api/ask)")
        if path in BLOCKED_PATHS or any(path.startswith(p + "/") for p in BLOCKED_PATHS):
            return await refuse(404, "not found")
        if (method in _UNSAFE or is_api) and not same_origin(headers, scope.get("scheme", "http")):
            return await refuse(403, "cross-origin requests are not accepted; use this server's own page or a "
                                     "non-browser client")
        if is_api:
            allowed = api_methods(path)
            if allowed is None:
                return await refuse(404, f"no API route {path}; see /api/docs")
            if method not in allowed:
                return await refuse(405, f"{path} takes {' or '.join(m for m in allowed if m != 'HEAD')}, not {method}",
                                    [(b"allow", ", ".join(allowed).encode())])
            if method == "POST":
                ctype = headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype not in _POST_TYPES.get(path.rstrip("/"), ("application/json",)):
                    if path.rstrip("/") == DOCUMENTS:
                        return await refuse(415, "send the document as multipart/form-data (a file field), or "
                                                 "commit a staged upload as a form or JSON")
                    return await refuse(415, "the body must be JSON sent with Content-Type: application/json")
        # Gradio's upload endpoint is checked by file name here; /api/documents names the file in its own errors
        is_upload = path.rstrip("/").endswith(UPLOAD_PATHS)
        big = is_upload or path.rstrip("/") == DOCUMENTS
        limit = MAX_UPLOAD_BYTES + 64 * 1024 if big else (MAX_API_BODY if is_api else MAX_OTHER_BODY)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return await refuse(413, f"the request body is {int(declared)} bytes; the limit is {limit}")

        received = 0
        started = refused = False
        tail = b""  # the end of the previous chunk: a part header may straddle two

        async def tracking_send(message):
            nonlocal started
            if refused:  # the 413 went out already; the app's own answer is dropped
                return
            if message["type"] == "http.response.start":
                started = True
            await send_with_headers(message)

        async def counted_receive():
            nonlocal received, refused, tail
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                problem = None
                if received > limit:
                    problem = (413, f"the request body is over the {limit}-byte limit")
                elif is_upload:
                    # multipart part headers name each file; refuse a type `qa add` cannot read before it is stored
                    for m in _FILENAME.finditer(tail + chunk):
                        name = m.group(1).decode("utf-8", "replace").strip().lower()
                        if name and not name.endswith(UPLOAD_SUFFIXES):
                            problem = (415, f"only {', '.join(UPLOAD_SUFFIXES)} files can be uploaded")
                    tail = chunk[-300:]
                if problem and not started:
                    # answer now and tell the app the client went away: it stops reading, nothing is stored
                    await refuse(*problem)
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        try:
            await self.app(scope, counted_receive, tracking_send)
        except Exception:
            if refused:
                return
            if not is_api or started:
                raise
            log.exception("%s %s failed", method, path)
            await refuse(500, "internal error; the server log has the details")
