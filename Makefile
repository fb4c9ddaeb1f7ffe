# The single task runner. `make run` and `make test` are the README's two set-up commands:
# both create the virtual environment on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY := $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed-stamp

export PATH := $(BIN):$(PATH)
export PYTHONUTF8 := 1
export LC_ALL := C.UTF-8
export DVC_NO_ANALYTICS := 1
export TZ := Asia/Seoul

PYTEST_ARGS ?=

.PHONY: help venv run test lint typecheck imports schemas check-schemas serve bench bench-tools bench-resolver cockpit sysdeps clean

help:
	@echo "make run     - run the PC pipeline on the embedded default data (offline)"
	@echo "make test    - lint, type checks, import boundaries and the whole test suite"
	@echo "make schemas - regenerate schemas/*.schema.json from the artifact models"
	@echo "make serve   - start the read-only resolver on 127.0.0.1:8000"
	@echo "make cockpit - start the operator's cockpit (Streamlit) on 127.0.0.1:8501"
	@echo "make bench   - run the benchmarks and record their results"

$(STAMP): pyproject.toml constraints.txt
	$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

venv: $(STAMP)

# Debian packages the tests need: headless Chromium (HTML report / cockpit screenshots) and
# a CJK font so Korean renders in those screenshots.
SYSDEPS := chromium fonts-noto-cjk
sysdeps:
	@missing=$$(for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: missing Debian packages ($$missing): browser tests will fail; run as root"; fi; \
	fi

run: venv
	dvc repro
	krx validate --all
	@echo
	@echo "Artifacts (git-tracked): data/prices/ (bars), reports/backtest/ (metrics, equity, trades),"
	@echo "  reports/recon/ (reconcile), state/strategy_bundle.json (the handoff to the server)."
	@echo "Human report: reports/human/report.md, and the self-contained HTML page (works offline):"
	@echo "  open $(CURDIR)/reports/human/report.html   (or: xdg-open / start on Windows)"

lint: venv
	ruff check pipeline ops_api cockpit tests benchmarks
	ruff format --check pipeline ops_api cockpit tests benchmarks

typecheck: venv
	mypy

imports: venv
	lint-imports

schemas: venv
	krx schemas

check-schemas: venv
	krx schemas --check

test: venv sysdeps lint typecheck imports check-schemas
	pytest -n 2 $(PYTEST_ARGS)

cockpit: venv
	streamlit run cockpit/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true --browser.gatherUsageStats false --client.toolbarMode minimal

serve: venv
	python -m ops_api --repo . --host 127.0.0.1 --port 8000

# Benchmarks print ratios against a peer measured in the same run and record their results
# in benchmarks/results/. The resolver benchmark needs nginx and wrk (bench-tools, as root).
bench: venv
	python benchmarks/bench_ingest_growth.py
	python benchmarks/bench_backtest.py
	python benchmarks/bench_daily_ops.py

bench-tools:
	bash benchmarks/install_tools.sh

bench-resolver: venv bench-tools
	PYTHONPATH=. python benchmarks/bench_resolver.py --duration 10 --rounds 5

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache dvc_plots
