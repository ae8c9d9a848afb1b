# The two commands a new machine needs: `make demo` and `make test`.
# Both create .venv and install the project from its own pyproject.toml.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
BENCH_INSTALLED := $(VENV)/.bench-installed
# Port of the replica the demo serves and crawls (another when 8800 is taken: make demo DEMO_PORT=8801).
DEMO_PORT ?= 8800
# Test processes in parallel (pytest-xdist); most tests wait on crawls of local servers.
TEST_WORKERS ?= 2

.PHONY: demo test bench clean browser

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "newsarchive needs Python >= 3.11: set PYTHON=python3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(BENCH_INSTALLED): $(INSTALLED)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

demo: $(INSTALLED)
	$(VENV)/bin/newsarchive demo --port $(DEMO_PORT)

# The web interface's browser tests drive Debian's chromium: installed with apt where it is
# missing (never downloaded by the tests); without root or apt they skip and say why.
BROWSER_PACKAGES := chromium chromium-driver fonts-wqy-zenhei
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	  else echo "chromium missing: browser tests will skip (apt-get install -y $(BROWSER_PACKAGES))"; fi; \
	fi

test: $(INSTALLED) browser
	$(PY) -m pytest -n $(TEST_WORKERS)

bench: $(BENCH_INSTALLED)
	$(PY) -m bench

clean:
	rm -rf $(VENV) data .pytest_cache
