# SkillMap: the README's two commands are `make run` and `make test`.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
FLASK   := $(BIN)/flask --app skillmap
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 5000
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-postgres install db demo i18n i18n-update bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Install (again) whenever the dependency list or the catalogues change.
$(STAMP): $(BIN)/python setup.cfg pyproject.toml $(wildcard skillmap/translations/*/LC_MESSAGES/*.po)
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pybabel compile --use-fuzzy -d skillmap/translations -f
	touch $(STAMP)

install: $(STAMP)

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) load-taxonomy
	$(FLASK) seed-demo

# The web server and one queue consumer (background jobs) beside it; Ctrl+C stops both.
run: demo
	@echo "SkillMap on http://$(HOST):$(PORT) with one jobs worker  (Ctrl+C stops both)"
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) jobs-worker --workers 1 & worker=$$!; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# The suite runs on both cores (pytest-xdist; each worker has its own databases).
test: install
	$(BIN)/pytest -n 2

test-postgres: install
	SKILLMAP_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2

i18n-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o skillmap/translations/messages.pot .
	$(BIN)/pybabel update -i skillmap/translations/messages.pot -d skillmap/translations \
		--no-fuzzy-matching --ignore-obsolete

i18n: install
	$(BIN)/pybabel compile -d skillmap/translations -f

bench: install
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_teams.py
	$(BIN)/python bench/bench_team_units.py
	$(BIN)/python bench/bench_profile.py
	$(BIN)/python bench/bench_reports.py
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_esco.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
