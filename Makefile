# After-sales bot. `make run` and `make test` work on a fresh machine (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
STAMP     := $(VENV)/.installed
PYENV_DIR ?= $(if $(PYENV_ROOT),$(PYENV_ROOT),$(HOME)/.pyenv)
# A python3.10 under pyenv's versions first (its shim may refuse when 3.10 is not the active version), then PATH.
PYTHON310 ?= $(shell for p in $(PYENV_DIR)/versions/3.10*/bin/python3.10 $$(command -v python3.10 2>/dev/null); do \
                 [ -x "$$p" ] && "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null \
                 && { echo "$$p"; break; }; done)

export ACTION_SERVER_URL ?= http://127.0.0.1:5055/webhook
export PYTHONHASHSEED ?= 0
export TF_CPP_MIN_LOG_LEVEL ?= 3
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

MODEL_INPUTS := config.yml domain.yml $(shell find data -type f -name "*.yml" 2>/dev/null) $(wildcard bot/nlu/*.py bot/nlu/*/*.py)

.PHONY: help setup lock run test test-unit validate train bench lint clean seed-demo

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock
	@if [ -z "$(PYTHON310)" ]; then echo "Python 3.10 not found (on PATH or under $(PYENV_DIR)/versions)"; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON310)"
	$(PYTHON310) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip==24.0
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip check
	@touch $(STAMP)

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
# Debian's chromium for the browser tests, and a CJK font so that Chinese text renders in their screenshots.
BROWSER   := /usr/bin/chromium /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
$(BROWSER) &:
	@echo "Installing Debian's chromium and fonts-wqy-microhei for the browser tests"
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; \
	 else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; fi

setup: $(STAMP) $(BROWSER)  ## create .venv on Python 3.10 with the pinned dependencies; install Chromium

lock:  ## re-resolve requirements.in into requirements.lock (needs the registries)
	rm -rf .lock-venv && $(PYTHON310) -m venv .lock-venv && .lock-venv/bin/pip install -q pip==24.0
	.lock-venv/bin/pip install -q -r requirements.in
	{ echo "# Exact, complete dependency set for Python 3.10 (generated from requirements.in by \`make lock\`)."; \
	  .lock-venv/bin/pip freeze --all | grep -v '^pip=='; } > requirements.lock
	rm -rf .lock-venv

# NLU_GATE=off skips the gate (python -m bot nlu gate): otherwise a new model replaces models/aftersales.tar.gz only
# when it is not worse on the held-out sets; on refusal the current model stays and make fails with the reason.
NLU_GATE ?= on

models/.trained: $(STAMP) $(MODEL_INPUTS)
	rm -rf models/candidate
	$(RASA) train --fixed-model-name aftersales --out models/candidate --quiet
	@if [ "$(NLU_GATE)" != "off" ]; then \
	    $(PY) -m bot --log-level WARNING nlu gate --candidate models/candidate/aftersales.tar.gz \
	        --current models/aftersales.tar.gz || exit $$?; \
	fi
	mv models/candidate/aftersales.tar.gz models/aftersales.tar.gz
	rm -rf models/candidate
	@touch $@

train: models/.trained  ## train the Rasa model if it is missing or older than its data

validate: $(STAMP)  ## rasa data validate
	$(PY) -m bot validate

var/.seeded: $(STAMP)
	$(PY) -m bot migrate
	$(PY) -m bot seed --outlets 2000 --seed 7
	@touch $@

seed-demo: var/.seeded  ## migrate and seed the demo database (embedded SQLite by default)

run: $(STAMP) models/.trained var/.seeded  ## set up, train if needed, seed, start every process
	$(PY) -m bot run-all

test: $(STAMP) $(BROWSER) models/.trained  ## set up, then run every test
	$(PY) -m bot validate
	$(RASA) test core --stories tests/stories --model models/aftersales.tar.gz --fail-on-prediction-errors \
	    --out var/conversation-tests --quiet
	$(PY) -m pytest -q -p no:cacheprovider

test-unit: $(STAMP)  ## unit tests only, without the slow and PostgreSQL ones (fast: no model, no servers)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit -m "not slow and not postgres"

bench: $(STAMP)  ## run the benchmarks, write bench/results.json
	$(PY) -m bench.run --output bench/results.json

lint: $(STAMP)  ## ruff + mypy
	$(VENV)/bin/ruff check bot actions integrations tests bench
	$(VENV)/bin/mypy bot actions integrations

clean:  ## remove the venv, trained models and local data
	rm -rf $(VENV) var models/*.tar.gz models/candidate models/.trained .mypy_cache .ruff_cache
