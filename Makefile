# The two commands of the README: `make run` and `make test`. Everything else
# is a step they use. Python packages are pinned in requirements.txt.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test test-containers install system broker migrate test-unit test-integration test-e2e screenshots clean

run: install broker migrate  ## start every process on SQLite; Ctrl-C stops them all
	@mkdir -p var
	$(BIN)/honcho --no-prefix -f Procfile start 2>&1 || true

test: install system broker  ## the whole suite: unit, integration (RabbitMQ, SQLite, PostgreSQL), end to end
	BIN=$(BIN) scripts/run_tests.sh

test-containers: install  ## the container files for real: engine, images, compose stack, swarm (scripts/test_containers.sh)
	BIN=$(BIN) scripts/test_containers.sh

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

system:  ## system packages the tests need (Chromium), installed with apt-get when missing
	scripts/ensure_system_packages.sh

broker:  ## RabbitMQ reachable at the configured AMQP URI, started if needed
	scripts/ensure_rabbitmq.sh

migrate: install
	@mkdir -p var
	$(BIN)/python -m services.migrations upgrade

test-unit: install
	$(BIN)/nameko test tests/unit -q

test-integration: install broker
	$(BIN)/nameko test tests/integration -q

test-e2e: install system broker
	$(BIN)/python -m pytest tests/e2e -q

clean:
	rm -rf var $(VENV)
