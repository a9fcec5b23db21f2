# Two commands a new user needs: `make serve` and `make test`. Both set up the virtualenv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: test serve bench lint docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

serve: $(BIN)/.installed
	$(BIN)/clarus-mock serve

bench: $(BIN)/.installed
	$(BIN)/python bench/validate.py

docs: $(BIN)/.installed
	$(BIN)/clarus-mock docs --write

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
