# wparchive: every target creates .venv and installs the project into it when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_BLOG_PORT ?= 8765
DEMO_PORT ?= 8001

.PHONY: install system-deps test lint docs demo demo-crawl eval eval-real bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## make system-deps: Debian packages for the real-WordPress, browser and workers tests (root; tests skip without them)
system-deps:
	bash tests/wordpress/install.sh
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	command -v redis-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)

## make test: the whole suite (lint and docs checks included)
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/cog --check README.md
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check spiders pipelines archive

## make docs: regenerate the generated parts of the README
docs: $(STAMP)
	$(VENV)/bin/cog -r README.md

## make demo: crawl the bundled sample course blog offline and open it in Datasette
demo: demo-crawl
	$(VENV)/bin/wparchive serve archive/demo.db --port $(DEMO_PORT)

demo-crawl: $(STAMP)
	$(PY) -m tests.sampleblog.demo --db archive/demo.db --port $(DEMO_BLOG_PORT)

## make eval: score the extractor over the fixture corpus beside trafilatura (writes docs/extraction.md)
eval: $(STAMP)
	$(PY) -c "import trafilatura" 2>/dev/null || $(PY) -m pip install --quiet -e ".[test,bench]"
	$(VENV)/bin/wparchive eval tests/fixtures/extract --output docs/extraction.md

## make eval-real: score the extractor on the real-page corpus beside trafilatura and htmldate (writes docs/extraction-real.md)
REALPAGES ?= ../shared/realpages/pages.tar.xz
eval-real: $(STAMP)
	$(PY) -c "import trafilatura" 2>/dev/null || $(PY) -m pip install --quiet -e ".[test,bench]"
	$(VENV)/bin/wparchive eval-real $(REALPAGES) --output docs/extraction-real.md

## make bench: speed, request and reliability benchmarks (writes docs/performance-*.md, docs/requests.md, docs/reliability.md, docs/capture.md; minutes)
bench: $(STAMP)
	$(PY) -c "import trafilatura" 2>/dev/null || $(PY) -m pip install --quiet -e ".[test,bench]"
	$(PY) benchmarks/bench_extraction.py
	@for script in benchmarks/bench_requests.py benchmarks/bench_incremental.py benchmarks/bench_datasette.py benchmarks/bench_reliability.py benchmarks/bench_capture.py benchmarks/bench_scale.py; do \
	  if [ -f $$script ]; then echo "== $$script"; $(PY) $$script || exit 1; fi; done

clean:
	rm -rf $(VENV) archive/demo.db* archive/demo.wacz archive/demo.replay .pytest_cache .ruff_cache tests/artifacts build
