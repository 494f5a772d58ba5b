"""Serve the question-answering chat and its JSON API.

    python app.py                      # http://127.0.0.1:7860
    python app.py --host 0.0.0.0 --port 8080
    GRADIO_SERVER_PORT=8080 python app.py

The page is up within seconds; on a first start the index is built in the
background (about a minute) while the page shows "正在建立索引…".
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # must precede any gradio import

log = logging.getLogger("app")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Chat and HTTP JSON API (/api/search, /api/ask) over the health-bureau work plans.")
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
                   help="address to listen on (default: $GRADIO_SERVER_NAME or 127.0.0.1)")
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT") or 7860),
                   help="port (default: $GRADIO_SERVER_PORT or 7860)")
    p.add_argument("--index", default=None, help="index directory (default: $QA_INDEX_DIR or ./index)")
    p.add_argument("--corpus", default=None, help="corpus directory (default: $QA_CORPUS_DIR or ./corpus)")
    p.add_argument("--database-url", default=None, metavar="URL",
                   help="serve the index in PostgreSQL (default: $QA_DATABASE_URL, else the embedded index/)")
    p.add_argument("--feedback-log", default=None,
                   help="JSONL file for 👍/👎 feedback (default: $QA_FEEDBACK_LOG or feedback/feedback.jsonl)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    for noisy in ("jieba", "jieba_next", "faiss.loader", "httpx", "urllib3", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # start-up chatter, not news

    import uvicorn

    from qa.ui import create_app

    def loader():
        from qa import Retriever

        return Retriever.load(args.index, args.corpus, show_progress=True, database_url=args.database_url)

    app = create_app(loader=loader, feedback_log=args.feedback_log)
    log.info("serving on http://%s:%d (API: /api/search, /api/ask; docs: /api/docs)", args.host, args.port)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
