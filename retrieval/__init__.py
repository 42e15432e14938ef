"""Rank passages of an index build for a question: the service and the evaluation share it.

Public API::

    from retrieval import load_index, Searcher, Pipeline
    searcher = Searcher(load_index("index"))
    result = searcher.search("can myeloma mess up my kidneys", k=5)

Nothing here imports Flask: the web app (search_app) is one caller among others.
"""

from .index import Index, IndexUnavailable, load_index
from .search import Hit, Pipeline, Searcher, SearchResult

__all__ = ["Hit", "Index", "IndexUnavailable", "Pipeline", "SearchResult", "Searcher", "load_index"]
