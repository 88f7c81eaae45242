# Rückenbot: `make run` sets everything up and starts the bot; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_310 ?= $(shell command -v python3.10 2>/dev/null)
VENV       := .venv
BIN        := $(VENV)/bin
SPACY_PIPELINE := build/spacy/rueckenbot_de
MODEL      := models/rueckenbot.tar.gz
# data's folders too: a training file removed or added changes its folder's time, and the model is trained again
TRAINING_INPUTS := config.yml domain.yml $(shell find data -type d -o -name '*.yml' 2>/dev/null) $(wildcard components/*.py) knowledge/details.yml knowledge/safety.yml knowledge/scope.yml knowledge/therapies.yml

export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export RUECKENBOT_ACTION_URL ?= http://localhost:$(ACTION_PORT)/webhook
export RUECKENBOT_TRACKER_DB ?= var/conversations.db
export RASA_TELEMETRY_ENABLED := false
# Rasa caches trained components keyed by config and data, not by our code in
# components/: a stale TherapyExtractor could be reused, so no cache.
export RASA_MAX_CACHE_SIZE := 0
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: system-deps help setup train run shell actions test test-unit check lesbarkeit source-diff preview test-stories test-quality test-e2e test-channels test-security lint clean web test-browser bench test-production forget-old report audit review review-apply

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

# --- set-up -----------------------------------------------------------------
$(BIN)/.installed: pyproject.toml constraints.txt
	@if [ -z "$(PYTHON_310)" ] || ! "$(PYTHON_310)" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
	  echo "Rasa 3.6 needs Python 3.10, but no working python3.10 was found."; \
	  echo "Install it (e.g. 'pyenv install 3.10' - .python-version selects it here) or set PYTHON_310=/path/to/python3.10."; \
	  exit 1; fi
	test -x $(BIN)/python || $(PYTHON_310) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip<25' wheel 'setuptools<70.4'
	$(BIN)/pip install --quiet -c constraints.txt -e '.[tools,test]'
	touch $@

$(SPACY_PIPELINE)/meta.json: $(BIN)/.installed tools/spacy_pipeline.py components/german_words.py
	$(BIN)/python -m tools.spacy_pipeline $(SPACY_PIPELINE)

setup: $(BIN)/.installed $(SPACY_PIPELINE)/meta.json  ## install into .venv (Python 3.10) and build the German spaCy pipeline

# Rasa trains only when the training data, domain, config or our component changed. Rasa's own
# validation of the data runs beside the training, not before it (tools/validate.py: the same
# checks, in German with file:line); the model is kept only if both pass. Through the project's
# launcher, so reading the data checks each annotation without re-checking the schema and
# nothing is fingerprinted for the training cache, which is off (bot/server/rasa_patches.py,
# items 4 and 5; --force: make has decided already that training is needed, so Rasa's own
# fingerprint pass over the data, which would decide it again, is skipped).
.DELETE_ON_ERROR:
$(MODEL): $(TRAINING_INPUTS) | setup
	@start=$$(date +%s); mkdir -p models; \
	$(BIN)/python -m tools.validate > $(MODEL:.tar.gz=.validation) 2>&1 & validation=$$!; \
	$(BIN)/python -m bot.server.rasa_cli train --force --skip-validation --fixed-model-name rueckenbot --out models --quiet; trained=$$?; \
	if ! wait $$validation; then cat $(MODEL:.tar.gz=.validation); rm -f $(MODEL); exit 1; fi; \
	[ $$trained -eq 0 ] || exit $$trained; \
	seconds=$$(( $$(date +%s) - start )) && echo $$seconds > $(MODEL:.tar.gz=.seconds) && \
	$(BIN)/python -m tools.training_summary --seconds $$seconds

train: $(MODEL)  ## train the model if data or config changed since the last one

# The chat widget: npm packages (web/package-lock.json), bundled into web/dist/ (served at /widget/)
# with its texts from interface_texts.yml (tools/build_widget.py checks them first).
WEB_DIST := web/dist
WEB_SOURCES := $(wildcard web/src/*) interface_texts.yml knowledge/sources.yml tools/build_widget.py

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@tools/system-deps.sh web
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

$(WEB_DIST)/rueckenbot.js: web/node_modules/.package-lock.json $(WEB_SOURCES) | $(BIN)/.installed
	$(BIN)/python -m tools.build_widget --out $(WEB_DIST)

web: $(WEB_DIST)/rueckenbot.js  ## install the chat widget's npm packages and build it into web/dist/

# --- running ----------------------------------------------------------------
run: train web  ## set up, train if needed, start action server + Rasa server (Ctrl-C stops both)
	@mkdir -p var
	@$(BIN)/python -m tools.run_servers --model $(MODEL)

shell: train  ## chat with the bot in this terminal
	@mkdir -p var
	@$(BIN)/python -m tools.run_servers --model $(MODEL) --shell

actions: setup  ## start only the action server
	SANIC_HOST=$${RASA_INTERFACE:-127.0.0.1} $(BIN)/python -m bot.server.rasa_cli run actions --port $(ACTION_PORT)

# --- checks and tests -------------------------------------------------------
# Editors' commands (docs/EDITING.md). `make check` ends with "Alles in Ordnung" or "N Probleme
# gefunden" and fails when there are problems. Rule conflicts take under a second, so they run in
# `make check` (no separate check-full).
#
# STOP ends make quietly after a tool has printed its own verdict: make would add "make: *** [Makefile:…:
# check] Error 1", which reads like one more file:line to fix, so the recipe stops make with SIGINT
# (exit status 130, still a failure). The shell outlives the SIGINT by a moment (sleep), else make
# may reap it first and print "wait: No child processes". Where make ignores SIGINT (started in the
# background by a script, some CI runners) the recipe fails the ordinary way instead, so a failed
# check never passes as success: the shell inherits make's ignored signals, and SIGINT is the
# second bit of SigIgn in /proc.
STOP = { if grep -Eq '^SigIgn:.*[2367abef]$$' /proc/$$$$/status 2>/dev/null; then exit 1; fi; kill -INT $$PPID; sleep 0.5; }

check: setup  ## Inhalte prüfen, ohne Training (etwa 45 Sekunden): jeder Fehler mit Datei:Zeile und wie man ihn behebt
	@$(BIN)/python -m tools.check || $(STOP)

lesbarkeit: setup  ## die am schwersten lesbaren Texte des Bots als Tabelle, mit Datei:Zeile
	@$(BIN)/python -m tools.readability

# When IQWiG renews the page (next planned update 2028): every quote and heading of knowledge/
# checked against the new text before it replaces the old one (tools/source_diff.py; docs/EDITING.md,
# "Wenn IQWiG die Seite erneuert"). Stops like `make check` (STOP: no "make: *** … Error" line after
# the Datei:Zeile lines).
source-diff: setup  ## Zitate gegen eine neue Fassung der Seite prüfen: make source-diff NEW=pfad/zur/seite.txt
	@if [ -z "$(NEW)" ]; then \
	  echo "Bitte nennen Sie die neue Fassung der Seite: make source-diff NEW=pfad/zur/seite.txt"; \
	  echo "(die Datei ist der Text der neuen Seite als UTF-8-Textdatei, wie knowledge/source/README.md ihn beschreibt)"; \
	  $(STOP); \
	else $(BIN)/python -m tools.source_diff "$(NEW)" || $(STOP); fi

preview: check  ## schnell trainieren (2 bis 4 min) und im Terminal mit dem Bot schreiben; models/rueckenbot.tar.gz bleibt
	@mkdir -p var
	@$(BIN)/python -m tools.preview || $(STOP)

lint: setup
	$(BIN)/ruff check bot actions components tools tests bench
	$(BIN)/ruff format --check bot actions components tools tests bench

test-unit: setup
	$(BIN)/pytest -m "not model and not e2e and not channels and not browser and not production and not security and not de_core_news_sm" -q

test-de-core-news-sm: setup  ## only where spaCy's de_core_news_sm is installed: the config that uses it trains and parses
	$(BIN)/pytest -m de_core_news_sm -q

test-stories: train
	rm -rf results/stories
	$(BIN)/rasa test core --stories tests/stories --model $(MODEL) --fail-on-prediction-errors --out results/stories --quiet

# Quality on sets written apart from the training data (one bot shared by all three):
# tests/nlu (held-out understanding), tests/safety (emergencies, other conditions), tests/answers.
test-quality: train  ## understanding, safety and answers on held-out sets through the real bot (figures in results/)
	@rm -f results/heldout-summary.txt results/safety-summary.txt results/answers-summary.txt
	$(BIN)/pytest -m model -q; status=$$?; cat results/heldout-summary.txt results/safety-summary.txt results/answers-summary.txt 2>/dev/null; exit $$status

test-e2e: train
	$(BIN)/pytest -m e2e -q

test-browser: train web  ## the chat widget in headless Chromium (Debian's chromium) against the real bot
	$(BIN)/pytest -m browser -q

test-channels: train  ## Telegram, Facebook, WhatsApp end to end against fake provider APIs
	$(BIN)/pytest -m channels -q

test-security: train  ## fuzz runs over REST, socket.io and every webhook, logs at DEBUG without personal data, rate limits, the Redis lock attack
	$(BIN)/pytest -m security -q tests/security

# `make test SKIP=browser,production` leaves suites out (only when asked: a missing system
# package is installed by system-deps, or stops the run with the command that installs it).
comma := ,
SUITES  := unit stories quality e2e channels browser production security
SKIPPED := $(subst $(comma), ,$(SKIP))
RUN_SUITES := $(filter-out $(SKIPPED),$(SUITES))
SYSTEM_SUITES := $(filter browser production security,$(RUN_SUITES))

system-deps:  ## find or install (as root, with apt-get) the Debian packages the tests use: chromium, postgresql, redis, node
	@$(if $(SYSTEM_SUITES),tools/system-deps.sh $(SYSTEM_SUITES),echo "System packages: none needed (SKIP=$(SKIP)).")

# The model trains first and alone, then the suites run one after the other. The unit tests need no
# model, but beside them on two cores the training took a quarter longer (5.12.2026: 124 and 125 s
# against 98 s alone; niced unit tests made no difference), and the time it prints would not be
# the training's own.
MODEL_SUITES := $(filter-out unit,$(RUN_SUITES))

test: system-deps check lint  ## run every test (trains once, reuses the model); SKIP=browser,production leaves suites out
	$(if $(MODEL_SUITES),@$(MAKE) --no-print-directory $(MODEL))
	@$(MAKE) --no-print-directory $(addprefix test-,$(RUN_SUITES))
	@echo "All tests passed.$(if $(SKIP), Left out on request: $(SKIP).)"

test-production: train  ## PostgreSQL + Redis + two Rasa instances on loopback: context, order, restarts, outages, API token
	$(BIN)/pytest -m production -q

forget-old: setup  ## delete conversations older than RUECKENBOT_RETENTION_DAYS (default 30) from the tracker store
	@$(BIN)/python -m tools.retention

# The review (tools/review/, docs/review.md): messages the bot did not understand, declined, asked
# back about, answered with the emergency reply, or whose answer got a thumbs-down, pseudonymised,
# from the tracker store -> reports/review.html and reports/review.yml. SINCE=7d, 14, 2w or all.
SINCE ?= 7d

review: setup  ## Nachrichten zum Durchsehen (nicht verstanden, abgelehnt, Rückfrage, Notfall, 👎) -> reports/review.html; SINCE=7d
	@$(BIN)/python -m tools.review --since "$(SINCE)"

review-apply: setup  ## in reports/review.yml markierte Nachrichten als Trainingsbeispiele übernehmen, dann make check
	@$(BIN)/python -m tools.review apply; status=$$?; $(MAKE) --no-print-directory check && exit $$status

# The quality report (tools/report/): on both held-out sets (tests/nlu/testset.yml, reportset.yml) and
# per register, our pipeline next to Rasa's stock pipeline (config-stock.yml, trained into a temporary
# folder in the same run) and a keyword baseline; ours also through the real bot over REST, with the
# safety, out-of-scope and answer figures of `make test-quality`.
report: $(MODEL)  ## Qualitätsbericht: Rückenbot neben Rasa-Standard und Schlüsselwörtern, Sicherheit, Antworten (etwa 10 min; gut 90 min mehr, wenn das Standardmodell neu lernt, also nach jeder Änderung an data/) -> reports/report.html
	$(BIN)/python -m tools.report --model $(MODEL)

# pip-audit in its own environment (its dependencies must not move Rasa's pins); needs a machine that
# reaches PyPI's JSON API or OSV. Every pin is audited as pinned (--no-deps), nothing is installed.
audit:  ## check the pinned dependencies (constraints.txt) for known advisories with pip-audit (needs internet)
	test -x .venv-audit/bin/pip-audit || $(PYTHON_310) -m venv .venv-audit
	test -x .venv-audit/bin/pip-audit || .venv-audit/bin/pip install --quiet pip-audit
	.venv-audit/bin/pip-audit -r constraints.txt --no-deps --disable-pip --strict

bench: train  ## load benchmark against stock Rasa (bench/load.py; trains the stock model into /tmp once; not a test)
	$(BIN)/python -m bench.load --users $${BENCH_USERS:-50} --messages $${BENCH_MESSAGES:-10}

clean:  ## remove trained models, build output and test results (keeps .venv)
	rm -rf models build results var/conversations.db
