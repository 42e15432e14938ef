# The two commands: `make serve` and `make test`. Each sets up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HOST ?= 127.0.0.1
export PORT ?= 8000
# One torch thread per worker: two workers share the 2 cores without fighting.
export CANCER_SEARCH_TORCH_THREADS ?= 1

.PHONY: install index serve test eval bench clean browser-deps

install: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Build the index only when there is none, then calibrate its abstention
# threshold on the gold set's dev questions (recorded in the index build).
index: $(STAMP)
	@test -e index/current/meta.json || { $(PY) -m indexer build && $(PY) -m eval calibrate; }

serve: index
	$(VENV)/bin/gunicorn --config search_app/gunicorn_conf.py "search_app:create_app()"

test: $(STAMP) browser-deps
	$(PY) -m pytest

# Headless Chromium for tests/browser, from Debian, only when missing. Only root
# can install it; without it those tests skip and say why.
browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
	  || echo "browser-deps: could not install chromium; the browser tests will skip"; \
	else echo "browser-deps: chromium or chromedriver missing and not root; the browser tests will skip"; fi

eval: index
	$(PY) -m eval

# wrk drives the load (C, light on the 2 cores); from Debian, only when missing.
bench: index
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } \
	  || echo "bench: wrk missing; falling back to the Python client (less accurate)"
	$(PY) -m eval.bench

clean:
	rm -rf index test-output .pytest_cache
