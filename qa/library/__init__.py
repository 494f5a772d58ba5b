"""The document library: what is loaded, adding and removing documents while the app runs.

    store    list, stage (preview for review), commit with corrected metadata, remove
    html_text  a saved web page → text
    reader   the whole document as HTML with an outline, the cited passage highlighted
    service  `LibraryBackend`: background index updates, atomic switch, index/CURRENT watcher
    routes   GET/POST /api/documents, GET/DELETE /api/documents/{doc_id}
    auth     who may change the library (admin token; open only on loopback)
    ui_tab   the 文件库 tab;  cli: `python -m qa docs` / `python -m qa remove`
"""
