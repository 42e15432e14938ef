"""The name of every file of an index build: the contract between indexer and retrieval.

The indexer writes these into ``<INDEX_DIR>/builds/<version>/`` and points
``<INDEX_DIR>/current`` at the finished build; retrieval reads them and nothing
else. Both sides import the names from here, so a rename cannot split them.
"""

CURRENT = "current"  # symlink to the build being served
BUILDS = "builds"  # one folder per build version

META = "meta.json"  # version, model, counts, checksums of the sources
DOCUMENTS = "documents.json"  # each document's citation metadata
PASSAGES = "passages.jsonl"  # passage text with its source span (start, end)
DENSE = "dense.faiss"  # passage vectors (FAISS)
BM25 = "bm25"  # folder: the bm25s lexical index
VOCABULARY = "vocabulary.json"  # corpus words and counts, for spelling correction
GLOSSARY = "glossary.json"  # terms the corpus defines in parentheses
DEFINITIONS = "definitions.json"  # stems of the terms each passage defines
SENTENCES = "sentences.npy"  # sentence vectors, for the second stage
SENTENCE_OWNER = "sentence_owner.npy"  # passage of each sentence
SENTENCE_PAIRS = "sentence_pairs.npy"  # norms of adjacent-sentence mean vectors
SENTENCE_SPANS = "sentence_spans.npy"  # (start, end) of each sentence in its passage's text
BRIDGE_WORDS = "bridge_words.json"  # corpus content words ...
BRIDGE_VECTORS = "bridge_vectors.npy"  # ... and their vectors (vocabulary bridge)
LEXICON_WORDS = "lexicon_words.json"  # common English words ...
LEXICON_VECTORS = "lexicon_vectors.npy"  # ... and their vectors
SCOPE_EXAMPLES = "scope_examples.json"  # labelled questions (answerable or not) ...
SCOPE_VECTORS = "scope_vectors.npy"  # ... and their vectors (abstention vote)
EMBEDDINGS_CACHE = "embeddings.npz"  # the next build reuses unchanged passages' vectors
QUERY_ENCODER = (
    "query_encoder.onnx"  # the model as ONNX (pooling, normalisation): no torch to serve
)
CALIBRATION = "calibration.json"  # abstention weights and threshold (python -m eval calibrate)

# Beside builds/, not inside one: the embedded Milvus database (CANCER_SEARCH_BACKEND=milvus),
# which holds one collection per build and an alias naming the current one.
MILVUS_LITE = "milvus.db"
