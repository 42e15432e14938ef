"""The layout keeps its promises: retrieval needs no web framework, the evaluation
needs no web app, and configuration is checked when a program starts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO_ROOT

from core import settings

pytestmark = pytest.mark.integration


def _run(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_ranking_a_query_loads_no_flask(index_dir):
    out = _run(f"""
        import sys
        from retrieval import Searcher, load_index
        result = Searcher(load_index({str(index_dir)!r})).search("can myeloma damage the kidneys", k=3)
        assert result.hits, "no hits"
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "werkzeug", "search_app")))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_evaluation_runs_without_the_web_app(index_dir, tmp_path):
    out = _run(f"""
        import sys
        from eval.__main__ import main
        main(["--index", {str(index_dir)!r}, "--split", "test", "--configs", "bm25,service",
              "--out", {str(tmp_path)!r}])
        print("LOADED", sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "search_app")))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "LOADED []"
    assert (tmp_path / "eval-test.json").is_file()


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        ("CANCER_SEARCH_FUSION", "rff", "expected one of blend, rrf"),
        ("CANCER_SEARCH_RERANK", "crossencoder", "expected one of none, sentence, cross-encoder"),
        ("CANCER_SEARCH_MAX_K", "0", "expected an integer of at least 1"),
        ("CANCER_SEARCH_BLEND_ALPHA", "1.5", "expected a number from 0.0 to 1.0"),
        ("CANCER_SEARCH_CANDIDATES", "many", "expected an integer of at least 1"),
        ("CANCER_SEARCH_SPELLING_CORRECTION", "maybe", "expected true or false"),
        ("PORT", "99999", "expected an integer from 1 to 65535"),
    ],
)
def test_a_bad_setting_stops_the_start_in_one_line(variable, value, expected):
    out = subprocess.run(
        [sys.executable, "-m", "indexer", "build"],
        cwd=REPO_ROOT,
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert f"{variable}={value!r}" in lines[0] and expected in lines[0]
    assert "Traceback" not in out.stderr


def test_a_cross_encoder_without_its_directory_is_refused():
    out = _run(
        """
        from core import settings
        print(settings.problems())
    """,
        {"CANCER_SEARCH_RERANK": "cross-encoder", "CANCER_SEARCH_CROSS_ENCODER_DIR": ""},
    )
    assert (
        "CANCER_SEARCH_RERANK='cross-encoder' needs CANCER_SEARCH_CROSS_ENCODER_DIR" in out.stdout
    )


def test_the_app_refuses_to_start_on_a_bad_setting(index_dir):
    out = _run(
        f"""
        from search_app import create_app
        create_app({{"INDEX_DIR": {str(index_dir)!r}}})
    """,
        {"CANCER_SEARCH_FUSION": "rff"},
    )
    assert out.returncode != 0
    assert "ConfigError: CANCER_SEARCH_FUSION='rff' is not allowed" in out.stderr


def test_the_settings_reference_is_generated_from_the_declarations():
    """docs/operations.md's table is what `python -m core.settings --update` writes."""
    document = (REPO_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert settings.with_table(document) == document, (
        "run `python -m core.settings --update docs/operations.md`"
    )
    for setting in settings.DECLARED.values():
        assert f"`{setting.variable}`" in document
