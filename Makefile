# `make serve` and `make test` do all set-up themselves on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
QA := $(VENV)/bin/qa
STAMP := $(VENV)/.installed
export QA_HOST ?= 127.0.0.1
export QA_PORT ?= 8000
# The weights ship inside site-packages; never reach for a model hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install index serve test lint eval bench browser-deps train-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: any other torch requirement pulls a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,train]'
	touch $(STAMP)

install: $(STAMP)

# Builds only when a document or a parameter changed (the manifest says).
index: $(STAMP)
	$(QA) index

serve: index
	$(QA) serve --host $(QA_HOST) --port $(QA_PORT)

# Debian's Chromium for the browser tests (Playwright cannot download a browser here).
browser-deps:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium"; }

# Debian's WordNet: only `qa train-reader` (and its tests) read it; serving never does.
train-deps:
	@test -f /usr/share/wordnet/data.noun || { \
	  echo "Installing Debian's wordnet-base for the reader's training"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wordnet-base >/dev/null) \
	  || echo "WARNING: could not install wordnet-base"; }

test: index browser-deps train-deps
	$(VENV)/bin/ruff check qa tests
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check qa tests

eval: index
	$(QA) eval

bench: index
	$(QA) bench

clean:
	rm -rf $(VENV) index/builds index/CURRENT index/resume reports test-output
