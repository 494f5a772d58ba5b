"""The query side: analysing a question (query), fusing BM25 and dense scores (fusion), and the
Retriever that ties the stores together (retriever).
"""
