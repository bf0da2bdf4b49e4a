# miniai: one command to set up and run the course (`make course`), one to set up and run the tests (`make test`).
# Every target creates the virtual environment first if it is missing or out of date.

PYTHON ?= python3
BIN := .venv/bin
# An offline copy of Fashion-MNIST beside the checkout is used when present; otherwise the loader downloads it.
SHARED_DATA := $(wildcard ../shared/data/fashion_mnist)
export MINIAI_DATA ?= $(if $(SHARED_DATA),$(abspath $(SHARED_DATA)))
LESSONS := $(sort $(wildcard nbs/[0-9]*.ipynb))

.PHONY: setup test test-slow course run-notebooks docs check-docs serve lab bench clean

# The stamp is named after the content of the files that decide the environment, not their times:
# `nbdev-export` rewrites pyproject.toml with the same content and a new mtime.
SETUP_HASH := $(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
STAMP := $(BIN)/.installed-$(SETUP_HASH)

setup: $(STAMP)

$(STAMP):
	rm -f $(BIN)/.installed*
	$(PYTHON) -m venv .venv
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# The notebooks' test cells, one pytest test per notebook, two notebooks at a time on one thread each.
test: setup
	OMP_NUM_THREADS=1 $(BIN)/pytest -n 2 tests/

# The same with the long experiments marked `#| slow`.
test-slow: setup
	OMP_NUM_THREADS=1 $(BIN)/pytest -n 2 tests/ --flags slow

# Execute every lesson in place (fresh outputs), export the package, clean the notebooks, build the docs site.
course: run-notebooks docs

# Two notebooks at a time on one thread each: more throughput on a 2-core machine than one at a time on two threads.
# tools/execute_notebooks.py is `jupyter nbconvert --execute --inplace` without the step that let widget cells stall.
run-notebooks: setup
	printf '%s\n' $(LESSONS) nbs/index.ipynb | OMP_NUM_THREADS=1 xargs -P 2 -n 1 $(BIN)/python tools/execute_notebooks.py
	$(BIN)/nbdev-export
	$(BIN)/nbdev-clean

docs: setup
	$(BIN)/python tools/build_docs.py

check-docs: docs
	$(BIN)/python tools/check_docs.py

# The docs site over HTTP (opening _docs/index.html from disk works too, search included).
PORT ?= 8000
serve: setup
	test -f _docs/index.html || $(MAKE) docs
	@echo "serving _docs/ at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _docs

# JupyterLab on the lessons, with MINIAI_DATA (above) pointing at the offline data; root needs --allow-root.
LAB_ARGS ?=
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=nbs $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

bench: setup
	$(BIN)/python bench/learner_overhead.py
	$(BIN)/python bench/optimizer_step.py
	$(BIN)/python bench/scaling.py

clean:
	rm -rf _docs _proc build dist *.egg-info
