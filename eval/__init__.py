"""Retrieval evaluation: question file → judged runs → metrics, reports, exports.

`python -m eval --help` runs it; see eval/README.md.
"""
