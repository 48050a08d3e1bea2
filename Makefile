# flowadmin — the two commands: `make run` and `make test`. Only Python 3.11+ and make needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup migrate seed demo-reset lint bench bench-scim clean sso-demo screenshots

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

## The demo data, once: later runs keep what you changed (`make demo-reset` starts it over)
seed: migrate
	$(BIN)/python manage.py seed_demo --if-empty

## Delete the demo orgs (acme, globex) and seed them anew; other orgs are not touched
demo-reset: migrate
	$(BIN)/python manage.py seed_demo --reset

## Set everything up and serve the demo on http://$(HOST):$(PORT)
run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## `make run` with single sign-on: the local OpenID Provider (Node.js; npm ci in tests/idp)
## with demo accounts, and acme's SSO pointed at it
sso-demo: seed
	cd tests/idp && [ -d node_modules/oidc-provider ] || npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python manage.py sso_demo --addr $(HOST):$(PORT) --idp-port $(or $(IDP_PORT),8001)

## Set everything up and run the whole suite (PostgreSQL/Chromium tests skip when absent,
## unless REQUIRE_POSTGRES=1 / REQUIRE_BROWSER=1); see README "Tests". Bytecode and pytest's
## rewritten test modules are cached in __pycache__ even where the environment sets
## PYTHONDONTWRITEBYTECODE: each worker then collects in 4.3 s instead of 8.9 s.
test: setup
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(or $(PYTEST_WORKERS),2) $(PYTEST_ARGS)

## Every page of SPEC §4 for three personas at 390, 768 and 1280 px, as PNGs in screenshots/
screenshots: setup
	rm -rf screenshots
	SCREENSHOTS_DIR=$(CURDIR)/screenshots $(BIN)/python -m pytest -p no:cacheprovider -n 2 \
		tests/e2e/test_pages.py -q || true
	@echo "Screenshots in screenshots/ ($$(find screenshots -name '*.png' | wc -l) files)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: migrate
	$(BIN)/python -m bench $(BENCH_ARGS)

## SCIM provisioning: 10,000 users and 100 groups through the API (see bench/scim.py)
bench-scim: migrate
	$(BIN)/python -m bench.scim $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .test-media .pytest_cache
