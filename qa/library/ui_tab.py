"""The 文件库 tab: the document list (search, filter, click to read), upload with review, removal.

Gradio components stay here and in qa/web/ui.py; the work is done by `Library`
(qa/library/store.py) and `LibraryBackend` (qa/library/service.py).  A file
dropped on the upload box arrives in Gradio's cache; it is moved into the
library's data directory at once and the cached copy deleted, so uploaded
bytes are never left where Gradio serves files from.
"""
from __future__ import annotations

import html
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from .auth import AdminPolicy
from .service import LibraryBackend
from ..web.ui_tools import id_class
from .store import EDITABLE, SUFFIXES, LibraryError

log = logging.getLogger(__name__)

UNRESOLVED = "未识别"


def _e(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def chunk_counts(backend: LibraryBackend) -> dict[str, int]:
    r = backend.retriever
    out: dict[str, int] = {}
    for c in (r.chunks if r is not None else ()):
        out[c.doc_id] = out.get(c.doc_id, 0) + 1
    return out


def library_html(entries, counts: dict[str, int], *, query: str = "", place: str = "") -> str:
    """The list as an HTML table; a row opens the document in the reader."""
    q = (query or "").strip().lower()
    rows = []
    for e in entries:
        m = e.meta
        if place and place not in (m.district, m.city, m.province):
            continue
        hay = " ".join([m.doc_id, m.title, m.issuer, m.province, m.city, m.district, m.doc_number, str(m.year or "")])
        if q and q not in hay.lower():
            continue
        n = counts.get(m.doc_id)
        rows.append(
            f'<tr class="qa-act qa-act-doc {id_class("qa-d-", m.doc_id)}" role="button" tabindex="0">'
            f'<td>{_e(m.district) or f"<span class=qa-unres>{UNRESOLVED}</span>"}</td><td>{_e(m.city)}</td>'
            f'<td>{_e(m.title or m.doc_id)}</td><td>{_e(m.doc_number)}</td><td>{_e(m.date)}</td>'
            f'<td>{_e(m.year)}</td><td>{n if n is not None else "索引中…"}</td><td>{_e(e.added[:16].replace("T", " "))}</td></tr>')
    head = "<tr><th>区/县</th><th>市</th><th>标题</th><th>文号</th><th>印发日期</th><th>年份</th><th>段落</th><th>加入时间</th></tr>"
    body = "".join(rows) or '<tr><td colspan="8">没有符合条件的文件。</td></tr>'
    return f'<div class="qa-lib"><div>共 {len(entries)} 份文件，显示 {len(rows)} 份；点一行打开原文。</div><table>{head}{body}</table></div>'


def preview_html(p) -> str:
    from ..web.ui_assets import UI_STRINGS

    names = UI_STRINGS["zh-CN"]
    unres = "、".join(names.get(f"f_{k}", k) for k in p.unresolved) if p.unresolved else "无"
    sources = p.extra.get("sources") or {}
    # where each recognised field came from and how sure it is, and why a place stayed open
    extra = "".join(f"<li>{_e(names.get(f'f_{k}', k))}：{_e(v.get('from', ''))}（{_e(v.get('confidence', ''))}）</li>"
                    for k, v in sources.items() if isinstance(v, dict))
    extra += "".join(f"<li>未确定：{_e(note)}</li>" for note in sources.get("unresolved", []))
    extra += "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in p.extra.items() if k != "sources")
    return (f'<div class="qa-review-note"><b>{_e(p.filename)}</b>：{p.chars} 字，{p.chunks} 个段落。'
            f'未能识别的字段：<span class="qa-unres">{_e(unres)}</span>'
            + (f"<ul>{extra}</ul>" if extra else "")
            + f'<pre style="white-space:pre-wrap;font-size:0.85em">{_e(p.excerpt)}</pre></div>')


@dataclass
class LibraryTab:
    list_html: gr.HTML
    search: gr.Textbox
    place: gr.Dropdown
    remove_pick: gr.Dropdown


def place_choices(entries) -> list[str]:
    return sorted({x for e in entries for x in (e.meta.district, e.meta.city) if x})


def remove_choices(entries) -> list[tuple[str, str]]:
    return [(f"{e.meta.place or UNRESOLVED} · {e.meta.title or e.meta.doc_id} ({e.meta.doc_id})", e.meta.doc_id)
            for e in entries]


def build_library_tab(backend: LibraryBackend, policy: AdminPolicy, i18n) -> LibraryTab:
    lib = backend.library
    try:
        entries = lib.entries()
    except Exception:  # a damaged catalogue: the chat tab shows the loading error
        entries = []
    with gr.Row():
        search = gr.Textbox(label=i18n("lib_search"), scale=3, elem_id="qa-lib-search")
        place = gr.Dropdown([""] + place_choices(entries), value="", label=i18n("lib_district"), scale=1,
                            elem_id="qa-lib-place")
    list_html = gr.HTML(library_html(entries, chunk_counts(backend)), elem_id="qa-lib-list")
    with gr.Accordion(i18n("upload_head"), open=True, elem_id="qa-upload"):
        token = gr.Textbox(label=i18n("token"), type="password", visible=policy.needs_token, elem_id="qa-token")
        if not policy.open and not policy.needs_token:
            gr.Markdown("上传和删除已关闭：服务器对外监听但没有设置管理口令（--admin-token）。")
        upload = gr.File(label=i18n("upload"), file_types=list(SUFFIXES), file_count="single", type="filepath",
                         elem_id="qa-upload-file")
        upload_msg = gr.Markdown("", elem_id="qa-upload-msg")
        upload_id = gr.State("")
        with gr.Column(visible=False, elem_id="qa-review") as review:
            gr.Markdown(i18n("review"))
            preview = gr.HTML("")
            with gr.Row():
                boxes = [gr.Textbox(label=i18n(f"f_{k}"), placeholder=UNRESOLVED, elem_id=f"qa-f-{k}", min_width=160)
                         for k in EDITABLE]
            with gr.Row():
                commit = gr.Button(i18n("commit"), variant="primary", elem_id="qa-commit")
                cancel = gr.Button(i18n("cancel"), elem_id="qa-cancel")
    with gr.Accordion(i18n("remove_head"), open=False, elem_id="qa-remove"):
        remove_pick = gr.Dropdown(remove_choices(entries), value=None, label=i18n("remove_pick"), elem_id="qa-remove-pick")
        with gr.Row():
            remove = gr.Button(i18n("remove"), variant="stop", elem_id="qa-remove-btn")
            confirm = gr.Button(i18n("remove_confirm"), variant="stop", visible=False, elem_id="qa-remove-confirm")
        remove_msg = gr.Markdown("", elem_id="qa-remove-msg")

    def refresh(query, where):
        return library_html(lib.entries(), chunk_counts(backend), query=query, place=where or "")

    def on_upload(path, given):
        none = (gr.update(visible=False), "", "", *[gr.update(value="") for _ in EDITABLE], None)
        if not path:
            return ("", *none)
        cached = Path(path)
        try:
            why = policy.check(given)
            if why:
                return (f"未完成：{why}", *none)
            p = lib.stage(cached, cached.name)
        except LibraryError as e:
            return (f"未完成：{e}", *none)
        finally:  # the bytes now live in the data dir (or nowhere): drop Gradio's cached copy
            _drop_cached(cached)
        values = [gr.update(value="" if p.fields[k] is None else str(p.fields[k])) for k in EDITABLE]
        return (f"已读取 **{p.filename}**，请核对下面的信息。", gr.update(visible=True), preview_html(p), p.upload_id,
                *values, None)

    def on_commit(uid, given, query, where, *values):
        why = policy.check(given)
        if why:
            return f"未完成：{why}", gr.skip(), gr.skip(), gr.skip()
        try:
            meta = lib.commit(uid, dict(zip(EDITABLE, values)))
        except LibraryError as e:
            return f"未完成：{e}", gr.skip(), gr.skip(), gr.skip()
        backend.submit_update(f"added {meta.doc_id}")
        msg = f"已加入：{meta.place or UNRESOLVED} 《{meta.title or meta.doc_id}》（{meta.doc_id}）。索引正在后台更新，进度见右上角。"
        return msg, gr.update(visible=False), "", refresh(query, where)

    def on_cancel(uid):
        if uid:
            try:
                lib.discard(uid)
            except LibraryError:
                pass
        return "已放弃。", gr.update(visible=False), ""

    def on_remove(doc_id):
        return gr.update(visible=bool(doc_id)), "" if doc_id else "先选择一份文件。"

    def on_confirm(doc_id, given, query, where):
        why = policy.check(given)
        if why:
            return gr.update(visible=False), f"未完成：{why}", gr.skip(), gr.skip()
        try:
            meta = lib.remove(doc_id)
        except LibraryError as e:
            return gr.update(visible=False), f"未完成：{e}", gr.skip(), gr.skip()
        backend.submit_update(f"removed {doc_id}")
        entries = lib.entries()
        return (gr.update(visible=False), f"已删除 {meta.title or meta.doc_id}；索引正在后台更新。",
                gr.update(choices=remove_choices(entries), value=None), refresh(query, where))

    search.change(refresh, [search, place], list_html, show_progress="hidden")
    place.change(refresh, [search, place], list_html, show_progress="hidden")
    upload.upload(on_upload, [upload, token], [upload_msg, review, preview, upload_id, *boxes, upload])
    commit.click(on_commit, [upload_id, token, search, place, *boxes], [upload_msg, review, upload_id, list_html])
    cancel.click(on_cancel, [upload_id], [upload_msg, review, upload_id])
    remove.click(on_remove, [remove_pick], [confirm, remove_msg])
    confirm.click(on_confirm, [remove_pick, token, search, place], [confirm, remove_msg, remove_pick, list_html])
    return LibraryTab(list_html, search, place, remove_pick)


def _drop_cached(path: Path) -> None:
    """Delete a file Gradio cached for an upload, and its (per-upload) folder if that is now empty."""
    try:
        path.unlink(missing_ok=True)
        if path.parent.is_dir() and not any(path.parent.iterdir()):
            shutil.rmtree(path.parent, ignore_errors=True)
    except OSError:
        log.warning("could not delete the cached upload %s", path)
