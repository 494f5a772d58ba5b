"""Serve the question-answering chat, the document library and its JSON API.

    python app.py                      # http://127.0.0.1:7860
    python app.py --host 0.0.0.0 --port 8080 --admin-token "$TOKEN"
    GRADIO_SERVER_PORT=8080 python app.py

The page is up within seconds; on a first start the index is built in the
background (about a minute) while the page shows the build's progress.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # forced (an inherited True used to win); before any gradio import

log = logging.getLogger("app")
ROOT = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Chat, document library and HTTP JSON API (/api/search, /api/ask, /api/documents) "
                    "over the health-bureau work plans.")
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
                   help="address to listen on (default: $GRADIO_SERVER_NAME or 127.0.0.1)")
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT") or 7860),
                   help="port (default: $GRADIO_SERVER_PORT or 7860)")
    p.add_argument("--index", default=None, help="index directory (default: $QA_INDEX_DIR or ./index)")
    p.add_argument("--corpus", default=None, help="corpus directory (default: $QA_CORPUS_DIR or ./corpus)")
    p.add_argument("--data-dir", default=None,
                   help="private data directory: uploads awaiting review, keys (default: $QA_DATA_DIR or ./data)")
    p.add_argument("--admin-token", default=os.environ.get("QA_ADMIN_TOKEN") or "",
                   help="credential for uploading/removing documents (default: $QA_ADMIN_TOKEN); without one, "
                        "changes are allowed only when listening on 127.0.0.1")
    p.add_argument("--max-upload-mb", type=float, default=20.0, help="largest uploaded file, MiB (default: 20)")
    p.add_argument("--max-documents", type=int, default=500, help="most documents in the library (default: 500)")
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
    data_dir = Path(args.data_dir or os.environ.get("QA_DATA_DIR") or ROOT / "data").resolve()
    # files dropped on the upload box land in Gradio's cache first: keep that inside our own data dir
    os.environ.setdefault("GRADIO_TEMP_DIR", str(data_dir / "gradio-cache"))

    import uvicorn

    from qa.web.guard import SERVER_OPTIONS
    from qa.library.store import Limits
    from qa.web.ui import create_app

    def loader(progress=None):
        from qa import Retriever

        return Retriever.load(args.index, args.corpus, show_progress=True, progress=progress,
                              database_url=args.database_url)

    limits = Limits(max_bytes=int(args.max_upload_mb * 2**20), max_documents=args.max_documents)
    app = create_app(loader=loader, feedback_log=args.feedback_log, index_dir=args.index, corpus_dir=args.corpus,
                     data_dir=data_dir, admin_token=args.admin_token, host=args.host, limits=limits)
    log.info("serving on http://%s:%d (API: /api/search, /api/ask, /api/documents; docs: /api/docs)%s",
             args.host, args.port, "" if args.admin_token else " — library changes need no token (loopback only)"
             if args.host in ("127.0.0.1", "localhost", "::1") else " — library changes disabled (no --admin-token)")
    # SERVER_OPTIONS: room for a long request line, so it gets a 414 instead of a reset connection
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", **SERVER_OPTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
