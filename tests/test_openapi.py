"""The OpenAPI description stays true: schemathesis runs it against the app.

For every operation, schemathesis's three generation phases (the spec's
examples, boundary "coverage" values, and random fuzzing), each with valid
and deliberately invalid input, under a fixed seed and a bounded number of
fuzzed examples: no 5xx, invalid input refused with 4xx, other methods
refused with 405 and Allow, and every status, content type, header and body
as described. A second test keeps the description complete.

schemathesis's pytest plugin cannot run under pytest 9 (it sets a node
attribute that pytest 9 removed), so each operation's test is built with the
same builder the plugin uses and called directly.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
import schemathesis
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test

SEED = 20240408
EXAMPLES = 20
OPERATIONS = ["/api/search", "/api/sources", "/api/health", "/api/openapi.json"]
FIGURES: dict[str, dict] = {}


def _run_generated(api_schema, path: str, method: str, check) -> None:
    """Run `check` on every case schemathesis generates for one operation."""
    build_operation_test(
        config=api_schema.config,
        operation=api_schema[path][method],
        test_func=check,
        given_kwargs={},
        feedback=FeedbackSources(),
    )()


@pytest.fixture(scope="module", autouse=True)
def record_figures():
    """Statuses per operation, for the README's robustness section."""
    yield
    out = Path(__file__).resolve().parent.parent / "test-output"
    out.mkdir(exist_ok=True)
    (out / "openapi.json").write_text(json.dumps(FIGURES, indent=1, sort_keys=True) + "\n")


@pytest.fixture(scope="module")
def api_schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.config.seed = SEED
    schema.config.generation.update(max_examples=EXAMPLES)
    return schema


@pytest.mark.parametrize("path", OPERATIONS)
def test_api_conforms_to_its_description(api_schema, path):
    statuses = collections.Counter()

    def check(case):
        response = case.call_and_validate()
        assert response.status_code < 500
        statuses[response.status_code] += 1

    _run_generated(api_schema, path, "GET", check)
    FIGURES[path] = dict(sorted(statuses.items()))
    assert statuses[200] and statuses[405]  # valid requests answered, other methods refused
    if path == "/api/search":
        assert statuses[400] >= 10  # and the invalid ones were generated, and refused


@pytest.mark.parametrize("path", OPERATIONS)
def test_options_answer_as_described(api_schema, path):
    """OPTIONS: 204, Allow, no body, on every path (Flask's own answer was an
    undocumented 200 with a text/html type)."""
    answers = []

    def check(case):
        response = case.call_and_validate()
        answers.append(response)

    _run_generated(api_schema, path, "OPTIONS", check)
    ok = [r for r in answers if r.status_code == 204]
    assert ok and all(not r.content for r in ok)  # Allow: checked against the description


def test_every_api_route_is_described(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(spec["paths"]) == set(OPERATIONS)
    for path, item in spec["paths"].items():
        assert set(item) == {"get", "options"}
        for method, operation in item.items():
            expected = {"200", "413"} if method == "get" else {"204"}
            assert expected <= set(operation["responses"]), (path, method)
            for response in operation["responses"].values():
                assert "X-Request-ID" in response["headers"]
