# Everything runs from a project-local virtualenv, .venv, made on first use.
# Stamp files in .venv record which extras are installed; they depend on pyproject.toml, so
# editing the dependencies reinstalls and an unchanged checkout skips pip entirely.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: venv demo test lint soak bench lab clean distclean

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

# The full suite: unit, property, stress, notebook and browser (e2e) tests, after the lint.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# ruff, then mypy (its settings, strict on the core, are in pyproject.toml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

# The reliability suite at full size (about 5-10 minutes on 2 cores): 5,000 job lifecycles
# per variant and 400 chaos scenarios. `make test` runs the same tests, smaller.
soak: $(VENV)/.installed-test
	JOBBER_SOAK_JOBS=500 JOBBER_SOAK_ROUNDS=10 JOBBER_CHAOS_EXAMPLES=400 \
		$(BIN)/python -m pytest -q -s tests/reliability

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
