# Everything installs from the lock file; only Python 3.11+ and make are needed.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test lint format bench serve clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

# --compile-bytecode: every crawl, pool worker and Prefect process starts ~2 s sooner, even where
# PYTHONDONTWRITEBYTECODE keeps Python from caching what it compiles.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

install: $(VENV)/.synced ## create .venv from uv.lock

demo: install ## archive the bundled sandbox press web end to end, then query it
	$(BIN)/pressarchive demo

test: install ## lint, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## figures side by side in one run: warehouse at 200k and 1M articles
	$(BIN)/python -m bench.extract
	$(BIN)/python -m bench.crawl
	$(BIN)/python -m bench.warehouse --sizes 200000,1000000

serve: install ## serve the Prefect deployments to the server at PREFECT_API_URL (docs/prefect.md)
	$(BIN)/pressarchive serve

clean:
	rm -rf $(VENV) .uv .pytest_cache .ruff_cache
