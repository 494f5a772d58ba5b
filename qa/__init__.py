"""Cited-passage retrieval over Chinese district health-bureau work plans.

    from qa import Retriever
    r = Retriever.load()
    hits = r.search("哪个区要求报告患病率不低于4.5%？", k=10)
"""
from .records import Chunk, DocMeta, Hit

__all__ = ["Retriever", "Hit", "Chunk", "DocMeta"]


def __getattr__(name):
    # Imported lazily: `python -m qa chunks` must not pay for numpy/faiss/jieba.
    if name == "Retriever":
        from .search.retriever import Retriever

        return Retriever
    raise AttributeError(name)
