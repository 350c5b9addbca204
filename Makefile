# Commands for a fresh machine (see README.md):
#   make verify - the main job: check the papers' claims, write verify-report/report.md with figures
#   make zoo    - derive every activation of the zoo and print the table
#   make test   - the whole test suite and the notebooks (two processes: pytest-xdist)
# Each creates or updates the virtual environment .venv it needs (Python >= 3.11).

PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

.PHONY: verify zoo test venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[test,mc,nt,dks,scale]"
	touch $(STAMP)

venv: $(STAMP)

verify: $(STAMP)
	$(VENV)/bin/acttheory verify --report verify-report

zoo: $(STAMP)
	$(VENV)/bin/acttheory zoo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n 2 --dist loadfile tests --nbmake notebooks

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis verify-report
