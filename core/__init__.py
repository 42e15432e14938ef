"""What indexing and serving must agree on: settings, the embedding model, text analysis.

The indexer and the search app never call each other; they meet at the index
files on disk. This package holds the few things both sides must do the same
way, so that the index written by one is read correctly by the other.
"""
