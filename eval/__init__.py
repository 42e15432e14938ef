"""Retrieval evaluation: gold questions in, Hit@k / MRR / nDCG per configuration out.

Public API::

    from eval import load_gold, judge, run_configs, CONFIGS
    gold = load_gold()                       # eval/gold.jsonl
    qrels = judge(gold, searcher.index)      # relevant passages, from evidence quotes
    results = run_configs(searcher, gold)    # every configuration, metrics from ranx

The harness calls the service's own Searcher (retrieval.search) with different
Pipeline switches; there is no second copy of the retrieval code here.
"""

from .configs import CONFIGS
from .gold import GoldQuestion, judge, load_gold
from .harness import run_configs

__all__ = ["CONFIGS", "GoldQuestion", "judge", "load_gold", "run_configs"]
