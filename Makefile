# The two front-door commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-dev clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# axe-core, for the browser tests' accessibility check: fetched from the npm registry by the
# install, never kept in the repository.
AXE_VERSION := 4.14.1
AXE := build/axe/axe-$(AXE_VERSION).min.js

$(AXE):
	mkdir -p build/axe
	cd build/axe && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js \
	  && mv package/axe.min.js axe-$(AXE_VERSION).min.js && rm -rf package axe-core-$(AXE_VERSION).tgz

# The language catalogues: the .po files are kept in the repository, the compiled .mo files are
# made here by the install. `make translations` extracts every marked string and updates the
# catalogues; tests/test_translations.py fails while any string is untranslated or stale.
CATALOGUES := $(wildcard tracker/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

%.mo: %.po | $(BIN)/python
	$(BIN)/pybabel compile -i $< -o $@

translations: $(VENV)/.installed
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --no-wrap -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d tracker/translations \
	  --no-fuzzy-matching --ignore-obsolete --no-wrap

install: $(VENV)/.installed $(COMPILED)
install-dev: $(VENV)/.installed-dev $(AXE) $(COMPILED)

## Set up and serve the application on http://127.0.0.1:5000 with an embedded SQLite database.
run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host 127.0.0.1 --port 5000

## Set up and run the whole test suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set),
## one pytest-xdist worker per core, each on a database of its own. PYTEST_ARGS replaces the
## default: `make test PYTEST_ARGS="tests/consular -x"` runs in one process.
PYTEST_ARGS ?= -n auto
test: install-dev
	@$(BIN)/pytest $(PYTEST_ARGS) || { status=$$?; \
	  [ $$status -ne 5 ] || echo "pytest collected no tests: that is a failure" >&2; exit $$status; }

clean:
	rm -rf $(VENV) build .hypothesis
