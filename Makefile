PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := DJANGO_SETTINGS_MODULE=site_example.settings.dev $(BIN)/python -m django
PYTEST_ARGS ?=

.PHONY: demo test install lint format messages wheel docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.py pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo_data
	@echo ""
	@echo "  Site:        http://127.0.0.1:8000/"
	@echo "  Consultation http://127.0.0.1:8000/consultations/market-square/"
	@echo "  Admin:       http://127.0.0.1:8000/admin/"
	@echo "  API:         http://127.0.0.1:8000/consult/api/v1/consultations/"
	@echo ""
	@echo "  Logins (password for all: consult-demo-2026):"
	@echo "    admin@example.org      superuser"
	@echo "    editor@example.org     editor (Wagtail admin)"
	@echo "    moderator@example.org  moderator (Wagtail admin)"
	@echo "    anna@example.org, ben@example.org, chloe@example.org  citizens"
	@echo ""
	$(BIN)/uvicorn site_example.asgi:application --host 127.0.0.1 --port 8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, then the import contracts of pyproject.toml (imports flow one way).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract the app's strings into locale/*/LC_MESSAGES/django.po (the test
# settings' LOCALE_PATHS) and compile them; both files are committed.
messages: install
	cd consult && DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=.. ../$(BIN)/python -m django makemessages --locale de --locale fr --locale es --no-obsolete --add-location file
	for po in locale/*/LC_MESSAGES/django.po; do msgfmt --check -o $${po%.po}.mo $$po; done

wheel: install
	rm -rf dist build
	$(BIN)/python -m build --wheel --outdir dist .

# The documentation site, into site/; --strict turns every warning (a broken
# link or anchor, a missing page) into a failure. NO_MKDOCS_2_WARNING hides
# the theme's end-of-life notice, which is not about this site.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) dist build *.egg-info var db.sqlite3
