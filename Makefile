# Lantern: `make run` serves the demo site, `make test` runs lint and the whole test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
MANAGE := $(PY) manage.py

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev run serve demo migrate test lint e2e bench check clean screenshots credential-verifier xapi-lrs messages

help:
	@echo "make run    set up .venv, migrate, load the demo and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   set up .venv with dev tools, run ruff and the whole pytest suite"
	@echo "make e2e    browser tests only (needs /usr/bin/chromium)"
	@echo "make bench  benchmarks (see bench/)"
	@echo "make lint   ruff check and format, template indentation, import contracts"
	@echo "make messages  update the translation catalogues in locale/ and compile them (needs gettext)"
	@echo "make screenshots  desktop and phone PNGs of the demo in docs/img/ (needs Chromium)"

# A venv whose interpreter no longer runs (moved, Python upgraded) is rebuilt.
venv:
	@$(PY) -c "" 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: requirements.txt | venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: venv $(VENV)/.installed
install-dev: venv $(VENV)/.installed-dev

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo

run: demo
	@echo ""
	@echo "Lantern is running at http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Stop it with Ctrl+C."
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# Lint: ruff (rules and format), template indentation, and the import contracts in
# pyproject.toml. .pre-commit-config.yaml runs the same checks on commit.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check $$(git ls-files '*.html' 2>/dev/null || find courses quizzes site -name '*.html')
	PYTHONPATH=site $(VENV)/bin/lint-imports

# Translation catalogues (docs/translation.md): gather every marked string into locale/<lang>/,
# then compile the .mo files that are committed beside them. Needs GNU gettext (xgettext, msgfmt).
MESSAGES_LANGUAGES := es fr ar
MESSAGES_IGNORE := --ignore=.venv* --ignore=tests --ignore=bench --ignore=docs --ignore=media --ignore=staticfiles --ignore=node_modules --ignore=fixtures
messages: install
	$(MANAGE) makemessages $(addprefix -l ,$(MESSAGES_LANGUAGES)) --no-obsolete --add-location=file $(MESSAGES_IGNORE)
	$(MANAGE) compilemessages $(addprefix -l ,$(MESSAGES_LANGUAGES)) --ignore=.venv*

# The unit suite runs on every core (pytest-xdist); the browser tests share one Chromium.
test: install-dev lint
	$(VENV)/bin/pytest -n auto --dist loadgroup -m "not e2e"
	$(VENV)/bin/pytest -m e2e

# The independent verifier of signed credentials (Node.js packages, pinned in package-lock.json);
# its tests skip without it.
credential-verifier:
	cd tests/courses/certificates/verifier && npm ci --no-audit --no-fund

# The Ralph learning record store the xAPI tests send to, in its own virtualenv (.venv-ralph) so
# its pins never touch Lantern's; its tests skip without it.
xapi-lrs:
	@.venv-ralph/bin/python -c "import ralph" 2>/dev/null || { rm -rf .venv-ralph && $(PYTHON) -m venv .venv-ralph && .venv-ralph/bin/pip install --quiet -r tests/courses/xapi/ralph-requirements.txt; }

e2e: install-dev
	$(VENV)/bin/pytest tests/e2e

bench: install-dev
	@for script in bench/*.py; do case $$script in bench/_*|bench/locustfile.py) continue;; esac; echo "== $$script"; $(PY) $$script || exit 1; done

# Builds the demo in a temporary SQLite database and serves it while Chromium takes the pictures.
screenshots: install-dev
	$(PY) docs/img/capture.py

check: install-dev
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
