"""HTTP API for the library: GET/POST /api/documents, GET/DELETE /api/documents/{doc_id}.

    curl http://127.0.0.1:7860/api/documents
    curl -F file=@plan.docx http://127.0.0.1:7860/api/documents                      # preview: metadata for review
    curl -F upload_id=… -F action=commit -F 'metadata={"district": "某区"}' …/api/documents  # commit
    curl -F file=@plan.docx -F action=commit …/api/documents                          # both at once
    curl -X DELETE -H 'Authorization: Bearer TOKEN' …/api/documents/doc-1a2b3c4d-2021

The multipart body is streamed straight into the data directory with a size
cap (never into a system temp dir); changes answer 202 and the index update
runs in the background (its progress is in GET /api/documents → "job").
"""
from __future__ import annotations

import dataclasses
import json
import logging
import secrets
import shutil
from pathlib import Path

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .auth import AdminPolicy
from .service import LibraryBackend
from .store import LibraryError, clean_name

log = logging.getLogger(__name__)

MAX_FORM_FIELD = 64 * 1024  # bytes of a non-file form field (metadata JSON)


def _err(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _credential(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-admin-token", "")


def entry_json(entry, chunk_counts: dict[str, int]) -> dict:
    return {**dataclasses.asdict(entry.meta), "place": entry.meta.place, "added": entry.added, "chars": entry.chars,
            "chunks": chunk_counts.get(entry.meta.doc_id)}


def preview_json(p) -> dict:
    return {"upload_id": p.upload_id, "file": p.filename, "metadata": p.fields, "extra": p.extra,
            "unresolved": list(p.unresolved), "chars": p.chars, "chunks": p.chunks, "excerpt": p.excerpt}


def job_json(backend: LibraryBackend) -> dict:
    return {**dataclasses.asdict(backend.job), "progress": dataclasses.asdict(backend.progress),
            "serving": backend.build_id}


def chunk_counts(backend: LibraryBackend) -> dict[str, int]:
    r = backend.retriever
    counts: dict[str, int] = {}
    if r is not None:
        for c in r.chunks:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    return counts


async def _read_multipart(request: Request, folder: Path, max_bytes: int) -> tuple[dict, tuple[str, Path] | None]:
    """Form fields and the one file part, streamed into `folder` with caps; LibraryError if too big/malformed."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype == b"application/x-www-form-urlencoded":  # a commit by upload_id carries no file
        from urllib.parse import parse_qsl

        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_FIELD:
                raise LibraryError("the form is too long")
        return dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=16)), None
    if ctype != b"multipart/form-data" or not boundary:
        raise LibraryError("send the file as multipart/form-data (curl -F file=@plan.docx …)")
    # (python-multipart's own errors on a malformed body are turned into a 400 by the caller)
    fields: dict[str, str] = {}
    state = {"name": None, "filename": None, "buf": bytearray(), "out": None, "size": 0, "file": None, "hdr": {},
             "hname": bytearray(), "hval": bytearray()}

    def on_part_begin():
        state.update(name=None, filename=None, buf=bytearray(), out=None, size=0, hdr={})

    def on_header_field(data, start, end):
        state["hname"] += data[start:end]

    def on_header_value(data, start, end):
        state["hval"] += data[start:end]

    def on_header_end():
        state["hdr"][bytes(state["hname"]).lower()] = bytes(state["hval"])
        state["hname"], state["hval"] = bytearray(), bytearray()

    def on_headers_finished():
        _, disp = parse_options_header(state["hdr"].get(b"content-disposition", b""))
        state["name"] = disp.get(b"name", b"").decode("utf-8", "replace")
        fn = disp.get(b"filename")
        if fn is not None:
            if state["file"] is not None:
                raise LibraryError("send one file per request")
            state["filename"] = clean_name(fn.decode("utf-8", "replace"))
            path = folder / ("upload" + Path(state["filename"]).suffix.lower()[:8])
            state["out"] = open(path, "wb")
            state["file"] = (state["filename"], path)

    def on_part_data(data, start, end):
        n = end - start
        state["size"] += n
        if state["out"] is not None:
            if state["size"] > max_bytes:
                raise LibraryError(f"{state['filename']}: over the {max_bytes / 2**20:g} MiB limit")
            state["out"].write(data[start:end])
        else:
            if state["size"] > MAX_FORM_FIELD:
                raise LibraryError(f"form field {state['name']!r} is too long")
            state["buf"] += data[start:end]

    def on_part_end():
        if state["out"] is not None:
            state["out"].close()
            state["out"] = None
        elif state["name"]:
            fields[state["name"]] = bytes(state["buf"]).decode("utf-8", "replace")

    parser = MultipartParser(boundary, callbacks={
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished})
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > max_bytes + MAX_FORM_FIELD * 4:
                raise LibraryError(f"the request is over the {max_bytes / 2**20:g} MiB upload limit")
            parser.write(chunk)
        parser.finalize()
    finally:
        if state["out"] is not None:
            state["out"].close()
    if len(fields) > 16:
        raise LibraryError("too many form fields")
    return fields, state["file"]


def add_library_routes(app, backend: LibraryBackend, policy: AdminPolicy) -> None:
    lib = backend.library

    def refused(request: Request) -> JSONResponse | None:
        why = policy.check(_credential(request))
        return _err(401 if policy.token else 403, why) if why else None

    async def list_documents(request: Request):
        try:
            entries = await run_in_threadpool(lib.entries)
        except Exception as e:  # a damaged catalogue: say so instead of a 500
            return _err(500, f"the catalogue cannot be read: {e}")
        counts = chunk_counts(backend)
        return {"documents": [entry_json(e, counts) for e in entries], "job": job_json(backend),
                "can_change": policy.open, "needs_token": policy.needs_token}

    async def get_document(request: Request):
        doc_id = request.path_params["doc_id"]
        try:
            meta, text = await run_in_threadpool(lib.source, doc_id)
        except LibraryError as e:
            return _err(404, str(e))
        return {**dataclasses.asdict(meta), "place": meta.place, "text": text}

    async def post_document(request: Request):
        if (resp := refused(request)) is not None:
            return resp
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > lib.limits.max_bytes + MAX_FORM_FIELD * 4:
            return _err(413, f"the request is over the {lib.limits.max_bytes / 2**20:g} MiB upload limit")
        incoming = lib.data_dir / "incoming" / secrets.token_hex(8)
        incoming.mkdir(parents=True, mode=0o700)
        try:
            try:
                form, upload = await _read_multipart(request, incoming, lib.limits.max_bytes)
            except LibraryError as e:
                return _err(413 if "limit" in str(e) else 400, str(e))
            except Exception as e:  # python-multipart's own errors on a malformed body
                return _err(400, f"malformed multipart body: {type(e).__name__}: {e}")
            action = (form.get("action") or "preview").strip().lower()
            if action not in ("preview", "commit"):
                return _err(400, f"action must be preview or commit, not {action!r}")
            try:
                corrections = json.loads(form["metadata"]) if form.get("metadata") else {}
            except json.JSONDecodeError as e:
                return _err(400, f"metadata must be a JSON object: {e}")
            if not isinstance(corrections, dict):
                return _err(400, "metadata must be a JSON object of field → value")
            try:
                if upload is not None:
                    name, path = upload
                    preview = await run_in_threadpool(lib.stage, path, name)
                elif form.get("upload_id"):
                    preview = await run_in_threadpool(lib.preview, form["upload_id"])
                else:
                    return _err(400, "send a file (field 'file') or the upload_id of a preview")
                if action == "preview":
                    return preview_json(preview)
                meta = await run_in_threadpool(lib.commit, preview.upload_id, corrections)
            except LibraryError as e:
                return _err(400, str(e))
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        job = backend.submit_update(f"added {meta.doc_id}")
        return JSONResponse({"document": dataclasses.asdict(meta), "job": dataclasses.asdict(job)}, status_code=202)

    async def delete_document(request: Request):
        if (resp := refused(request)) is not None:
            return resp
        doc_id = request.path_params["doc_id"]
        try:
            meta = await run_in_threadpool(lib.remove, doc_id)
        except LibraryError as e:
            return _err(404 if "no document" in str(e) else 409, str(e))
        job = backend.submit_update(f"removed {doc_id}")
        return JSONResponse({"removed": dataclasses.asdict(meta), "job": dataclasses.asdict(job)}, status_code=202)

    app.add_api_route("/api/documents", list_documents, methods=["GET"])
    app.add_api_route("/api/documents", post_document, methods=["POST"])
    app.add_api_route("/api/documents/{doc_id}", get_document, methods=["GET"])
    app.add_api_route("/api/documents/{doc_id}", delete_document, methods=["DELETE"])
