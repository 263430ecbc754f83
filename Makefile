# Two entry points for users: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp
PORT ?= 8501

.PHONY: install install-test run serve lint test index eval bench browser-deps clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# torch first and pinned: it is the CPU build on these machines (an unpinned torch pulls CUDA).
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Tests also need the optional LLM backends (the `llm` extra). llama-cpp-python compiles (~5-9 min on 2 cores);
# GGML_NATIVE=OFF keeps the wheel portable across x86-64 machines.
$(TEST_STAMP): $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PY) -m pip install --quiet -e ".[dev,llm]"
	touch $(TEST_STAMP)

install-test: $(TEST_STAMP)

index: install
	$(PY) -m assistant ingest

run: index
	$(PY) -m streamlit run ui/app.py --server.headless true --server.port $(PORT) --browser.gatherUsageStats false --client.toolbarMode minimal

# HTTP API, CDS Hooks service and MCP endpoint on 127.0.0.1:8000 (python -m assistant serve --help for options).
serve: index
	$(PY) -m assistant serve

# The browser test drives Debian's chromium; install it when missing (Playwright's own browser download is never used).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Static checks first (configured in pyproject.toml): lint, formatting, types.
lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: lint browser-deps
	ASSISTANT_REQUIRE_LLM_TESTS=1 $(PY) -m pytest -q

eval: install
	$(PY) -m assistant eval

bench: install
	$(PY) -m assistant bench

clean:
	rm -rf .data evals/reports .pytest_cache
