"""The web layer: the Gradio chat (ui, ui_assets, ui_tools), the HTTP API (api), and what bounds a
request (guard: sizes, origins, headers; workers: bounded worker lanes).
"""
