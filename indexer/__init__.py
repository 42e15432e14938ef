"""Indexing: corpus documents in, index files on disk out.

Run as ``python -m indexer build``. The search app never imports this package;
the two meet only at the files written under the index directory.
"""
