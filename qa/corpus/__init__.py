"""Documents in: reading files safely (ingest, files), the catalogue (documents), offset-keeping
cleanup (cleaning) and section chunking (chunking).
"""
