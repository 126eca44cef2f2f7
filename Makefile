# The two commands of the README: `make run` and `make test`. Everything else
# is a step they use. Python packages are pinned in requirements.txt (run time, the
# image) and requirements-dev.txt (tests, tools; on top of it): `make install` takes both.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test lint test-containers bench fuzz install system broker broker-accounts migrate test-unit test-integration test-e2e typecheck screenshots clean

run: install broker broker-accounts migrate  ## start every process on SQLite; Ctrl-C stops them all
	@mkdir -p var
	@$(BIN)/python -m scripts.check_ports
	DEVELOPMENT_MODE=$${DEVELOPMENT_MODE:-true} $(BIN)/honcho --no-prefix -f Procfile \
		-e var/broker-accounts.env start 2>&1 || true

test: install system broker lint typecheck  ## static checks, then the whole suite: unit, integration (RabbitMQ, SQLite, PostgreSQL), end to end
	BIN=$(BIN) scripts/run_tests.sh

# The services against the monolith (bench/run.py): prints the table, writes docs/PERFORMANCE.md
# and the profiles beside it (docs/performance-profiles.md).
# A quick run (about 6 minutes): make bench BENCH_ARGS="--articles 1000 --duration 3 --profile-seconds 4"
BENCH_ARGS ?= --articles 10000 --duration 10 --growth-sizes 1000,100000
bench: install broker  ## load both systems with wrk (installed with apt-get when missing)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

fuzz: install broker  ## schema fuzzing at scale: 250 generated requests per API operation (SQLite stack, fixed seed)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-250} $(BIN)/python -m pytest tests/e2e/test_gateway_schema.py -q -s \
	  -p no:cacheprovider --suppress-nameko-eventlet-notification -k sqlite

test-containers: install  ## the container files for real: engine, images, compose stack, swarm (scripts/test_containers.sh)
	BIN=$(BIN) scripts/test_containers.sh

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

system:  ## system packages the tests need (Chromium, nginx), installed with apt-get when missing
	scripts/ensure_system_packages.sh

broker:  ## RabbitMQ reachable at the configured AMQP URI, started if needed
	scripts/ensure_rabbitmq.sh

broker-accounts: install broker  ## one RabbitMQ account per part, least privilege (docs/SECURITY.md)
	@mkdir -p var
	$(BIN)/python -m admin.broker_setup --env-file var/broker-accounts.env

migrate: install
	@mkdir -p var
	$(BIN)/python -m services.database.migrations upgrade

test-unit: install
	$(BIN)/nameko test tests/unit -q

test-integration: install broker
	$(BIN)/nameko test tests/integration -q

lint: install  ## ruff: lint rules and the formatting of every Python file (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install  ## mypy over the contract, the shared library and the services' RPC signatures (pyproject.toml)
	$(BIN)/mypy

test-e2e: install system broker
	$(BIN)/python -m pytest tests/e2e -q

clean:
	rm -rf var $(VENV)
