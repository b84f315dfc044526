# Two commands do all the set-up: `make run` and `make test` (both create .venv if it is missing).
# `make test` is what CI runs (.ci/run): ruff (lint + format), then the test suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The modules setup.py compiles (README, "Compiled modules"): built in place by the $(BUILT) rule
# (pip leaves them to it), then rebuilt when one is edited, since Python imports a compiled module
# before its source; all of them when setup.py changes (a module it no longer lists must not
# stay compiled). mypy's check and the C compiler's notes on mypyc's generated code go to
# .venv/compile.log.
BUILT  := $(VENV)/.compiled
NATIVE_SOURCES := $(shell grep -o '"[a-z_]*/[a-z_/]*[.]c"' setup.py | tr -d '"')
COMPILED_SOURCES := setup.py $(shell grep -o '"[a-z_]*/[a-z_/]*[.]py"' setup.py | tr -d '"') \
  $(NATIVE_SOURCES) $(NATIVE_SOURCES:.c=.py)

.PHONY: run test lint bench clean lock compiled
# constraints.txt pins every package to the versions CI last ran green with (`make lock` renews it).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	NEWSBEAM_PURE_PYTHON=1 $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

$(BUILT): $(STAMP) $(COMPILED_SOURCES)
	$(if $(filter setup.py,$?),find transforms pipeline -name '*.so' -delete)
	$(BIN)/python setup.py --quiet build_ext --inplace $(if $(filter setup.py,$?),--force) \
	  >$(VENV)/compile.log 2>&1 \
	  || { tail -n 40 $(VENV)/compile.log; exit 1; }
	touch $(BUILT)

compiled: $(BUILT)

run: $(BUILT)
	$(BIN)/newsbeam run $(ARGS)

# One pytest-xdist worker per logical core (TEST_WORKERS=0 runs the suite in one process), each
# handed the next test in order as it frees up: the slow and cluster tests come first
# (tests/conftest.py), so the workers share them and end together on short ones. Bytecode is
# cached even where the environment says not to (PYTHONDONTWRITEBYTECODE=1 here): without it every
# run rewrote every test module's asserts again in each worker (14 s of collection; 6 s cached),
# and each process a test starts compiled the package's modules again.
TEST_WORKERS ?= logical
test: $(BUILT)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load \
	  --maxschedchunk 1 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# The newest releases pyproject.toml's ranges allow, installed into a clean venv and frozen; run
# `make test` on the result before committing the new constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	{ grep '^#' constraints.txt; \
	  .venv-lock/bin/python -m pip freeze --all --exclude-editable | grep -v '^pip=='; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

clean:
	rm -rf out .pytest_cache build
	find transforms pipeline \( -name '*.so' -o -name '*.c' \) -delete; rm -f $(BUILT)
