# The single task runner. `make run` and `make test` are the README's two set-up commands:
# both create the virtual environment on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY := $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
# The installer: uv (pinned in constraints.txt) in its own small venv, so the project's venv
# holds only what it runs. Measured on this machine (benchmarks/results/everyday.txt): uv
# installs the runtime several times faster than pip, first time and with a warm cache.
TOOLS ?= .tools
TBIN := $(abspath $(TOOLS))/bin
TOOLS_STAMP := $(TOOLS)/.installed-stamp
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-stamp
COCKPIT_STAMP := $(VENV)/.cockpit-stamp

export PATH := $(BIN):$(PATH)
export PYTHONUTF8 := 1
export LC_ALL := C.UTF-8
export DVC_NO_ANALYTICS := 1
export TZ := Asia/Seoul
# uv installs no bytecode; Python writes it on first import unless this is set (some CI and
# sandbox images set it), and then every process compiles dvc, pandas, ... from source again:
# seconds per process (benchmarks/results/everyday.txt). pipeline.tasks drops it the same way.
unexport PYTHONDONTWRITEBYTECODE

PYTEST_ARGS ?=

.PHONY: help venv dev-venv run test lint typecheck imports schemas check-schemas serve bench bench-everyday bench-tools bench-resolver cockpit sysdeps clean

help:
	@echo "make run     - run the PC pipeline on the embedded default data (offline)"
	@echo "make test    - lint, type checks, import boundaries and the whole test suite"
	@echo "make schemas - regenerate schemas/*.schema.json from the artifact models"
	@echo "make serve   - start the read-only resolver on 127.0.0.1:8000"
	@echo "make cockpit - start the operator's cockpit (Streamlit) on 127.0.0.1:8501"
	@echo "make bench   - run the benchmarks and record their results"

# Every install line below is also a PowerShell line in docs/setup.md (Windows, no make);
# tests/cli/test_setup_paths.py keeps the two the same.
$(TOOLS_STAMP): constraints.txt
	$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(TBIN)/python || $(PY) -m venv $(TOOLS)
	$(TBIN)/python -m pip install -c constraints.txt uv
	touch $@

# The runtime: what `make run`, the server's daily run and the resolver need (venv <= 500 MB).
$(STAMP): pyproject.toml constraints.txt $(TOOLS_STAMP)
	test -x $(BIN)/python || $(TBIN)/python -m uv venv --python $(PY) $(VENV)
	$(TBIN)/python -m uv pip install --python $(BIN)/python -c constraints.txt -e .
	touch $@

# Tests, linters and benchmarks, added to the same venv by `make test`.
$(DEV_STAMP): $(STAMP)
	$(TBIN)/python -m uv pip install --python $(BIN)/python -c constraints.txt -e '.[dev]'
	touch $@

$(COCKPIT_STAMP): $(STAMP)
	$(TBIN)/python -m uv pip install --python $(BIN)/python -c constraints.txt -e '.[cockpit]'
	touch $@

venv: $(STAMP)

dev-venv: $(DEV_STAMP)

# Debian packages the tests need: headless Chromium (HTML report / cockpit screenshots), a CJK
# font so Korean renders in those screenshots, sshd/ssh (the tunnel test runs a real sshd on
# loopback) and systemd (systemd-analyze verifies the timers and their calendars).
SYSDEPS := chromium fonts-noto-cjk openssh-server openssh-client systemd
sysdeps:
	@missing=$$(for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: missing Debian packages ($$missing): browser tests will fail; run as root"; fi; \
	fi

run: venv
	$(BIN)/python -m pipeline.tasks run

lint: dev-venv
	$(BIN)/python -m pipeline.tasks lint
	$(BIN)/python -m pipeline.tasks format

typecheck: dev-venv
	$(BIN)/python -m pipeline.tasks typecheck

imports: dev-venv
	$(BIN)/python -m pipeline.tasks imports

schemas: venv
	krx schemas

check-schemas: venv
	$(BIN)/python -m pipeline.tasks schemas

test: dev-venv sysdeps
	$(BIN)/python -m pipeline.tasks test $(PYTEST_ARGS)

cockpit: $(COCKPIT_STAMP)
	streamlit run cockpit/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true --browser.gatherUsageStats false --client.toolbarMode minimal

serve: venv
	python -m ops_api --repo . --host 127.0.0.1 --port 8000

# Benchmarks print ratios against a peer measured in the same run and record their results
# in benchmarks/results/. The resolver benchmark needs nginx and wrk (bench-tools, as root).
bench: dev-venv
	python benchmarks/bench_everyday.py
	python benchmarks/bench_ingest_growth.py
	python benchmarks/bench_backtest.py
	python benchmarks/bench_daily_ops.py

bench-everyday: dev-venv
	python benchmarks/bench_everyday.py

bench-tools:
	bash benchmarks/install_tools.sh

bench-resolver: dev-venv bench-tools
	PYTHONPATH=. python benchmarks/bench_resolver.py --duration 10 --rounds 5

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache dvc_plots
