"""The index: jieba tokens (tokenize), BM25 (bm25), faiss vectors (dense), and the on-disk build
switched atomically through CURRENT (index_store).
"""
