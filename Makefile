# The README's two commands. Each sets up its own virtual environment on first use.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,plot]'
	touch $@

.PHONY: demo test
demo: $(BIN)/.installed
	$(BIN)/tinygrad-edu demo

test: $(BIN)/.installed
	$(BIN)/ruff check tinygrad_edu tests examples
	$(BIN)/python -m pytest -q
