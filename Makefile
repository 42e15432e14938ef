# The two commands: `make serve` and `make test`. Each sets up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HOST ?= 127.0.0.1
export PORT ?= 8000
# One thread per native pool (ONNX Runtime, FAISS, BLAS): the server's request
# threads are the parallelism, and pools of one per core would fight over them.
export CANCER_SEARCH_NATIVE_THREADS ?= 1

.PHONY: install install-test index serve test test-fast lint eval bench docs clean browser-deps redis-deps

install: $(STAMP)
install-test: $(TEST_STAMP)

# Runtime packages, then this project itself (editable: the venv imports this tree).
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Test-only packages (pytest, hypothesis, schemathesis, selenium, ruff) on top.
$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $(TEST_STAMP)

# Build the index only when there is none (or it predates the ONNX query
# encoder serving needs), then calibrate its abstention on the dev questions
# (recorded in the index build). With CANCER_SEARCH_BACKEND=milvus the build also
# goes into Milvus (embedded by default: index/milvus.db) when missing there.
index: $(STAMP)
	@test -e index/current/meta.json -a -e index/current/query_encoder.onnx \
	  || { $(PY) -m indexer build && $(PY) -m eval calibrate; }
	@if [ "$$CANCER_SEARCH_BACKEND" = milvus ]; then $(PY) -m indexer milvus --if-missing; fi

serve: index
	$(VENV)/bin/gunicorn --config search_app/gunicorn_conf.py "search_app:create_app()"

# Lint, then every tier: unit, integration (a real index, real servers), browser.
test: $(TEST_STAMP) browser-deps redis-deps lint
	$(PY) -m pytest

# The unit tier alone: no index build, no server, no browser (well under 30 s).
test-fast: $(TEST_STAMP)
	$(PY) -m pytest -m unit -q

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Headless Chromium for tests/browser, from Debian, only when missing. Only root
# can install it; without it those tests skip and say why. Then axe-core, the
# accessibility checker the browser tests inject, from npm at the version
# tests/browser/node/package-lock.json pins (npm itself from Debian if missing).
AXE := tests/browser/node/node_modules/axe-core/axe.min.js
browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
	  || echo "browser-deps: could not install chromium; the browser tests will skip"; \
	else echo "browser-deps: chromium or chromedriver missing and not root; the browser tests will skip"; fi
	@if [ -f $(AXE) ]; then :; \
	elif command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }; then \
	  npm ci --prefix tests/browser/node --no-audit --no-fund --loglevel=error \
	  || echo "browser-deps: could not install axe-core; the accessibility checks will skip"; \
	else echo "browser-deps: npm missing and not root; the accessibility checks will skip"; fi

# redis-server for the shared rate-limit tests (tests/test_redteam.py), from
# Debian, only when missing. Only root can install it; without it those tests skip.
redis-deps:
	@if [ -x /usr/bin/redis-server ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) \
	  || echo "redis-deps: could not install redis-server; the shared rate-limit tests will skip"; \
	else echo "redis-deps: redis-server missing and not root; the shared rate-limit tests will skip"; fi

eval: index
	$(PY) -m eval

# wrk drives the load (C, light on the 2 cores); from Debian, only when missing.
bench: index
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } \
	  || echo "bench: wrk missing; falling back to the Python client (less accurate)"
	$(PY) -m bench

# Regenerate the settings table in docs/operations.md from core/settings.py.
docs: $(STAMP)
	$(PY) -m core.settings --update docs/operations.md

clean:
	rm -rf index results test-output .pytest_cache
