# Two commands for a fresh machine (see README.md):
#   make zoo    - the main job: derive every activation of the zoo and print the table
#   make test   - the whole test suite
# Each creates or updates the virtual environment .venv it needs (Python >= 3.11).

PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

.PHONY: zoo test venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[test,mc,nt]"
	touch $(STAMP)

venv: $(STAMP)

zoo: $(STAMP)
	$(VENV)/bin/acttheory zoo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
