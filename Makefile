# Everything runs from a project-local virtualenv, .venv, made on first use.
# Stamp files in .venv record which extras are installed; they depend on pyproject.toml, so
# editing the dependencies reinstalls and an unchanged checkout skips pip entirely.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: venv demo test lint bench lab clean distclean

venv: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[bench,test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/jobber-lab demo

# The full suite: unit, property, stress, notebook and browser (e2e) tests.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench

# A working copy of the course in ./jobber-lab-course (git ignores it): the committed notebooks
# stay pristine. `make lab LAB_ARGS=--reset` restores pristine lessons, keeping changed ones aside.
lab: $(VENV)/.installed
	$(BIN)/jobber-lab lab $(LAB_ARGS)

# Generated files only; `distclean` also removes the virtualenv.
clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis test-artifacts
	rm -f bench/results.json
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
