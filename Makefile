# Two commands a new user needs: `make serve` and `make test`. Both set up the virtualenv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# `make serve HOST=0.0.0.0 PORT=9000 DATA=state.db FIXTURES=path/to/pack ARGS='--admin-token T'`:
# each is passed on only when given, so clarus-mock's own defaults (127.0.0.1:8765, the demo pack)
# hold otherwise. Plain `=`, not `?=`: make's command line overrides them but the environment does
# not, where HOST or PORT often mean something else (a shell's host name, a container's port).
HOST =
PORT =
DATA =
FIXTURES =
ARGS =

.PHONY: test serve bench lint docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest

serve: $(BIN)/.installed
	$(BIN)/clarus-mock serve$(if $(HOST), --host $(HOST))$(if $(PORT), --port $(PORT))$(if $(DATA), --data '$(DATA)')$(if $(FIXTURES), --fixtures '$(FIXTURES)')$(if $(ARGS), $(ARGS))

# Quick figures: the GraphQL ones with 20,000 products and rows of at most 3 s. The README quotes
# `python bench/graphql_read.py` (100,000 products, about 70 s) and `python bench/server.py` (needs wrk).
bench: $(BIN)/.installed
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/write_path.py
	$(BIN)/python bench/graphql_read.py --products 20000 --seconds 3

docs: $(BIN)/.installed
	$(BIN)/clarus-mock docs --write

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache .mypy_cache .hypothesis
