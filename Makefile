# The README's quick start: `make run` (backlint on the example backend) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("backlint needs Python 3.10 or newer") if sys.version_info < (3, 10) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

EXAMPLES := fixtures/example-backend fixtures/express-backend fixtures/nextjs-backend

# Exit code 1 means "findings", which is the point of the demo; 2 is a real error.
run: $(STAMP)
	@for example in $(EXAMPLES); do \
	  echo "== backlint check $$example"; \
	  $(BIN)/backlint check $$example; status=$$?; \
	  if [ $$status -gt 1 ]; then exit $$status; fi; \
	done

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

# pylint must see the installed layout (rules/ and checkers/ inside backlint/); the dogfood test
# stages it, so `make lint` runs that test rather than pylint on the source folders.
lint: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_dogfood.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .backlint_cache build *.egg-info
