# Everything installs into .venv; only Python >= 3.11 and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

ARGS ?=

demo: $(STAMP)  ## the whole bot in the terminal, no Telegram account needed; ARGS="--admin"
	$(BIN)/python run.py console $(ARGS)

run: $(STAMP)  ## talk to Telegram (needs BOT_TOKEN)
	$(BIN)/python run.py

test: $(STAMP)  ## all tests
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)  ## performance figures, written to bench/results.json
	$(BIN)/python -m bench

clean:  ## fresh start: removes .venv, the console database, its log and saved files
	rm -rf $(VENV) .pytest_cache data/console.sqlite3* data/console.log data/console-files
