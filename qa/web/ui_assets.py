"""The page's static parts: CSS, the one script in <head>, and the UI strings in Chinese and English.

The script handles the actions inside chat messages and the reader by event
delegation (the chat's HTML is sanitised, so messages carry class names —
`qa-act-<action>`, ids hex-encoded in `qa-c-…`/`qa-d-…` — never handlers): copy an answer as plain text, download it as
Markdown, open a citation or a document in the reader, jump to a heading.
"""
from __future__ import annotations

from ..library.reader import READER_CSS
from ..answering.render import CSS

# Gradio's i18n: the browser's language picks the table (anything not listed falls back to English).
UI_STRINGS = {
    "zh-CN": {
        "title": "## 卫生健康工作计划问答", "tab_chat": "问答", "tab_library": "文件库", "send": "发送",
        "input": "输入问题，按回车发送，例如：鼓楼区有没有类似的要求？", "district": "区（筛选）", "year": "年份（筛选）",
        "k": "引用段落数", "advanced": "高级", "mode": "检索方式", "examples": "**示例问题**（点击即问）",
        "clear": "清空对话", "chat_label": "问答（答案引用原文段落）",
        "placeholder": "用中文或英文提问，答案会引用原文段落。也可以点“示例问题”。",
        "reader": "**原文**", "close": "关闭", "lib_search": "搜索（标题、地区、文号）", "lib_district": "地区",
        "upload": "上传文件（.txt .md .docx .pdf .html）", "token": "管理口令", "commit": "确认加入文件库",
        "cancel": "放弃", "remove_pick": "选择要删除的文件", "remove": "删除", "remove_confirm": "确认删除",
        "review": "核对识别出的信息，可直接修改后再加入：", "f_title": "标题", "f_issuer": "发文机关",
        "f_province": "省", "f_city": "市", "f_district": "区/县", "f_year": "年份", "f_doc_number": "文号",
        "f_date": "印发日期（YYYY-MM-DD）", "f_signer": "签发人", "upload_head": "添加文件", "remove_head": "删除文件",
        "all": "全部",
    },
    "en": {
        "title": "## Health work-plan Q&A", "tab_chat": "Ask", "tab_library": "Library", "send": "Send",
        "input": "Type a question and press Enter, e.g. What about Gulou?", "district": "District (filter)",
        "year": "Year (filter)", "k": "Passages cited", "advanced": "Advanced", "mode": "Retrieval",
        "examples": "**Example questions** (click to ask)", "clear": "New conversation",
        "chat_label": "Answers cite the source passages",
        "placeholder": "Ask in Chinese or English; answers cite the source passages. Or try an example question.",
        "reader": "**Document**", "close": "Close", "lib_search": "Search (title, place, document number)",
        "lib_district": "Place", "upload": "Upload a file (.txt .md .docx .pdf .html)", "token": "Admin token",
        "commit": "Add to the library", "cancel": "Discard", "remove_pick": "Document to remove", "remove": "Remove",
        "remove_confirm": "Really remove", "review": "Check what was recognised; correct it before adding:",
        "f_title": "Title", "f_issuer": "Issuer", "f_province": "Province", "f_city": "City",
        "f_district": "District/county", "f_year": "Year", "f_doc_number": "Document number",
        "f_date": "Date issued (YYYY-MM-DD)", "f_signer": "Signed by", "upload_head": "Add a document",
        "remove_head": "Remove a document", "all": "All",
    },
}
UI_STRINGS["zh"] = UI_STRINGS["zh-CN"]

PAGE_CSS = CSS + READER_CSS + """
.gradio-container { max-width: 1480px !important; }
#qa-title h2 { margin: 0.1em 0; font-size: 1.25em; }
#qa-status { font-size: 0.9em; min-height: 1.4em; text-align: right; color: var(--body-text-color-subdued); }
html:lang(en) :is(#qa-status, #qa-filter-note) .qa-zh, html:not(:lang(en)) :is(#qa-status, #qa-filter-note) .qa-en {
  display: none; }
#qa-side .gr-button { white-space: normal; text-align: left; }
.qa-example button, button.qa-example { font-size: 0.85em !important; text-align: left !important; }
#qa-filter-note { font-size: 0.85em; color: #9a3412; min-height: 0; }
#qa-filter-note p { margin: 0; }
.qa-tools { margin-top: 0.5em; font-size: 0.85em; display: flex; flex-wrap: wrap; gap: 0.3em 0.9em; }
.qa-tools .qa-act, .qa-lib .qa-act { cursor: pointer; }
.qa-tools .qa-act { color: var(--link-text-color); }
.qa-tools .qa-act:hover { text-decoration: underline; }
.qa-plain, .qa-md { display: none; }
.qa-cite-head { cursor: pointer; }
#qa-reader { max-height: 78vh !important; overflow-y: auto !important; padding-right: 0.4em; }
.qa-lib table { width: 100%; border-collapse: collapse; font-size: 0.88em; }
.qa-lib th, .qa-lib td { text-align: left; padding: 0.25em 0.4em; border-bottom: 1px solid var(--border-color-primary); }
.qa-lib tr.qa-act:hover { background: var(--background-fill-secondary); }
.qa-lib .qa-unres { color: #9a3412; }
.qa-review-note { font-size: 0.9em; }
/* phones: one page scroll, no box scrolling inside it */
@media (max-width: 760px) {
  #qa-chat { height: auto !important; max-height: none !important; }
  #qa-chat > div, #qa-chat .bubble-wrap, #qa-chat [role="log"] { height: auto !important; max-height: none !important;
    overflow: visible !important; }
  #qa-reader { max-height: none !important; overflow: visible !important; }
  /* the library list keeps place, title, year and chunks; city, 文号, date and added are in the reader */
  .qa-lib th:nth-child(2), .qa-lib td:nth-child(2), .qa-lib th:nth-child(4), .qa-lib td:nth-child(4),
  .qa-lib th:nth-child(5), .qa-lib td:nth-child(5), .qa-lib th:nth-child(8), .qa-lib td:nth-child(8) { display: none; }
  .gradio-container { padding: 0 6px !important; }
}
"""

# After an answer arrives, scroll so the question and the answer's first line are at the top
# (Gradio's autoscroll would show the end of the last citation instead). On a phone the page scrolls.
SCROLL_JS = """() => { setTimeout(() => {
  const box = document.querySelector('#qa-chat');
  if (!box) return;
  const qs = box.querySelectorAll('.qa-q'), as = box.querySelectorAll('.qa-answer');
  const el = qs.length ? qs[qs.length - 1] : (as.length ? as[as.length - 1] : null);
  if (!el) return;
  let sc = el.parentElement;
  while (sc && sc !== document.body && !(sc.scrollHeight > sc.clientHeight + 4 &&
         /(auto|scroll)/.test(getComputedStyle(sc).overflowY))) sc = sc.parentElement;
  if (sc && sc !== document.body) sc.scrollTop += el.getBoundingClientRect().top - sc.getBoundingClientRect().top - 44;
  else window.scrollBy(0, el.getBoundingClientRect().top - 60);
}, 150); }"""

# The input is enabled by the load event (after the saved conversation is restored); focus it then,
# as autofocus would have on a field that was enabled from the start.
FOCUS_JS = """() => { setTimeout(() => document.querySelector('#qa-input textarea')?.focus(), 50); }"""

# Scroll the reader to the cited passage once it is rendered (the new HTML can arrive a moment later).
READER_SCROLL_JS = """() => { let tries = 0; const go = () => {
  const t = document.querySelector('#qa-reader .qa-target');
  const box = document.querySelector('#qa-reader');
  if (!t && tries++ < 30) { setTimeout(go, 100); return; }
  if (t && box && box.scrollHeight > box.clientHeight + 4 && getComputedStyle(box).overflowY !== 'visible') {
    box.scrollIntoView({block: 'nearest'});
    box.scrollTop += t.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
  } else if (t) { t.scrollIntoView({block: 'center'}); }
  else if (box) { box.scrollIntoView({block: 'start'}); }
}; setTimeout(go, 100); }"""

HEAD = """<script>
(() => {
  const lang = (navigator.language || '').toLowerCase();
  document.documentElement.lang = lang.startsWith('en') ? 'en' : 'zh-CN';
  function request(value) {  // ask the server to open the reader: hidden textbox + hidden button
    const box = document.querySelector('#qa-reader-req textarea, #qa-reader-req input');
    const go = document.querySelector('#qa-reader-go');
    if (!box || !go) return;
    box.value = value + '|' + Date.now();
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => go.click(), 60);
  }
  async function copyText(text) {
    try { await navigator.clipboard.writeText(text); return true; }
    catch (e) {
      const ta = document.createElement('textarea');
      ta.value = text; document.body.appendChild(ta); ta.select();
      const ok = document.execCommand('copy'); ta.remove(); return ok;
    }
  }
  function download(name, text) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], {type: 'text/markdown;charset=utf-8'}));
    a.download = name; document.body.appendChild(a); a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
  }
  function flash(el, text) {
    const old = el.textContent; el.textContent = text;
    setTimeout(() => { el.textContent = old; }, 1500);
  }
  function classValue(el, prefix) {
    for (const c of el.classList) if (c.startsWith(prefix)) return c.slice(prefix.length);
    return '';
  }
  function unhex(h) {
    const bytes = new Uint8Array((h.match(/../g) || []).map(x => parseInt(x, 16)));
    return new TextDecoder().decode(bytes);
  }
  function hiddenText(el) {  // the text of a hidden element, <br> as newlines
    if (!el) return '';
    const c = el.cloneNode(true);
    c.querySelectorAll('br').forEach(br => br.replaceWith('\\n'));
    return c.textContent;
  }
  function act(el) {
    const msg = el.closest('.qa-msg');
    const kind = classValue(el, 'qa-act-');
    if (kind === 'copy' && msg) copyText(hiddenText(msg.querySelector('.qa-plain'))).then(ok => flash(el, ok ? '✓' : '✗'));
    else if (kind === 'md' && msg) download('answer.md', hiddenText(msg.querySelector('.qa-md')));
    else if (kind === 'read') request('chunk:' + unhex(classValue(el, 'qa-c-')));
    else if (kind === 'doc') request('doc:' + unhex(classValue(el, 'qa-d-')));
    else if (kind === 'goto') {
      const t = document.getElementById(classValue(el, 'qa-a-'));
      const box = document.querySelector('#qa-reader');
      if (t && box && box.scrollHeight > box.clientHeight + 4 && getComputedStyle(box).overflowY !== 'visible')
        box.scrollTop += t.getBoundingClientRect().top - box.getBoundingClientRect().top - 10;
      else if (t) t.scrollIntoView({block: 'start'});
    }
  }
  document.addEventListener('click', (ev) => {
    const el = ev.target.closest('.qa-act');
    if (el) { ev.preventDefault(); act(el); return; }
    const head = ev.target.closest('.qa-msg .qa-cite-head');  // a citation's heading opens its passage
    if (head) {
      const msg = head.closest('.qa-msg');
      const heads = Array.from(msg.querySelectorAll('.qa-cite-head'));
      const read = msg.querySelectorAll('.qa-act-read')[heads.indexOf(head)];
      if (read) act(read);
    }
  }, true);
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    const el = ev.target.closest && ev.target.closest('.qa-act');
    if (el) { ev.preventDefault(); act(el); }
  });
})();
</script>"""
