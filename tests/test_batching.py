"""Micro-batching: concurrent callers share model calls and each gets its own rows."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from retrieval.batching import MicroBatcher


def fake_model(texts: list[str]) -> np.ndarray:
    """A deterministic 'vector' per text: its length and its first character's code."""
    return np.array([[len(t), ord(t[0]) if t else 0] for t in texts], dtype=np.float32)


def call_all(batcher: MicroBatcher, inputs: list[list[str]]) -> list[np.ndarray]:
    out: list = [None] * len(inputs)

    def one(n: int) -> None:
        out[n] = batcher.embed(inputs[n])

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


def test_concurrent_callers_share_a_call_and_get_their_own_rows():
    first_call_may_end = threading.Event()
    calls: list[list[str]] = []

    def model(texts):
        calls.append(list(texts))
        if len(calls) == 1:
            first_call_may_end.wait(timeout=30)  # the others queue up meanwhile
        return fake_model(texts)

    batcher = MicroBatcher(model, max_batch=16, window_s=0.5, slots=1)
    inputs = [["a" * (n + 1), "z"] if n == 3 else ["b" * (n + 1)] for n in range(9)]
    holder = threading.Thread(target=lambda: batcher.embed(["first"]))
    holder.start()
    while not calls:  # the first caller, alone, went to the model at once
        time.sleep(0.001)
    results: list = []
    runner = threading.Thread(target=lambda: results.extend(call_all(batcher, inputs)))
    runner.start()
    while sum(len(t.texts) for t in batcher._pending) < 10:  # every text is waiting
        time.sleep(0.001)
    first_call_may_end.set()
    runner.join(timeout=60)
    holder.join(timeout=60)
    assert calls[0] == ["first"]
    assert len(calls) == 2 and sorted(calls[1]) == sorted(t for i in inputs for t in i)
    for given, got in zip(inputs, results):
        assert np.array_equal(got, fake_model(given))


def test_a_batch_never_exceeds_its_limit_and_order_is_kept():
    batcher = MicroBatcher(fake_model, max_batch=4, window_s=0.01, slots=1)
    inputs = [[f"{chr(97 + n)}{'x' * n}"] for n in range(20)]
    for given, got in zip(inputs, call_all(batcher, inputs)):
        assert np.array_equal(got, fake_model(given))
    assert max(batcher.batch_sizes) <= 4 and sum(batcher.batch_sizes) == 20


def test_a_caller_alone_does_not_wait_for_the_window():
    batcher = MicroBatcher(fake_model, max_batch=16, window_s=60, slots=1)
    assert np.array_equal(batcher.embed(["alone"]), fake_model(["alone"]))  # not 60 s later


def test_an_error_reaches_every_caller_of_the_batch_and_the_batcher_goes_on():
    def broken(texts):
        raise RuntimeError("model failed")

    batcher = MicroBatcher(broken, max_batch=8, window_s=0.01)
    with pytest.raises(RuntimeError):
        batcher.embed(["x"])
    batcher._run = fake_model
    assert np.array_equal(batcher.embed(["ok"]), fake_model(["ok"]))


def test_batching_off_calls_the_model_once_per_caller():
    batcher = MicroBatcher(fake_model, max_batch=1, window_s=1)
    assert np.array_equal(batcher.embed(["one", "two"]), fake_model(["one", "two"]))
