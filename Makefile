# wparchive: every target creates .venv and installs the project into it when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_BLOG_PORT ?= 8765
DEMO_PORT ?= 8001

.PHONY: install system-deps test lint docs demo demo-crawl eval bench clean

# The packages (the extraction is compiled by the next rule, once).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	WPARCHIVE_COMPILE=0 $(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The extraction's hot path compiled with mypyc (setup.py); rebuilt when its sources change, so the
# code that runs is the code on disk. Without a C compiler it stays plain Python (same results).
NATIVE := $(VENV)/.native-stamp
EXTRACTION := $(wildcard spiders/extraction/*.py)
$(NATIVE): setup.py $(EXTRACTION) | $(STAMP)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -c "import spiders.extraction as e; print('extraction build:', e.BUILD)"
	touch $(NATIVE)

install: $(NATIVE)

## make system-deps: Debian packages for the real-WordPress and browser tests and the compiled extraction (root; tests skip without them)
system-deps:
	bash tests/wordpress/install.sh
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@# A C compiler and Python's headers, for the compiled extraction (setup.py).
	command -v cc >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc)
	$(PYTHON) -c "import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dev)

## make test: the whole suite (lint and docs checks included)
test: $(NATIVE)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/cog --check README.md
	$(PY) -m pytest

lint: $(NATIVE)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check spiders pipelines archive

## make docs: regenerate the generated parts of the README
docs: $(NATIVE)
	$(VENV)/bin/cog -r README.md

## make demo: crawl the bundled sample course blog offline and open it in Datasette
demo: demo-crawl
	$(VENV)/bin/wparchive serve archive/demo.db --port $(DEMO_PORT)

demo-crawl: $(NATIVE)
	$(PY) -m tests.sampleblog.demo --db archive/demo.db --port $(DEMO_BLOG_PORT)

## make eval: score the extractor over the fixture corpus beside trafilatura (writes docs/extraction.md)
eval: $(NATIVE)
	$(PY) -c "import trafilatura" 2>/dev/null || $(PY) -m pip install --quiet -e ".[test,bench]"
	$(VENV)/bin/wparchive eval tests/fixtures/extract --output docs/extraction.md

## make bench: speed and request benchmarks (writes docs/performance-*.md, docs/requests.md; minutes)
bench: $(NATIVE)
	$(PY) -c "import trafilatura" 2>/dev/null || $(PY) -m pip install --quiet -e ".[test,bench]"
	$(PY) benchmarks/bench_extraction.py
	@for script in benchmarks/bench_requests.py benchmarks/bench_incremental.py benchmarks/bench_datasette.py; do \
	  if [ -f $$script ]; then echo "== $$script"; $(PY) $$script || exit 1; fi; done

clean:
	rm -rf $(VENV) archive/demo.db* .pytest_cache .ruff_cache tests/artifacts build
	rm -f *.so spiders/extraction/*.so spiders/extraction/_native_build.json
