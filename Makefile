# Thin wrappers: stack/stackctl.py does the work (see stack/README.md).
# Extra arguments for pytest or the benchmarks: make test ARGS='-k feed -x' (or PYTEST_ARGS=...).
PYTHON ?= python3
STACKCTL = $(PYTHON) stack/stackctl.py

.PHONY: install run up down status test test-cluster fuzz bench

install:
	$(STACKCTL) install

run:
	$(STACKCTL) run

up:
	$(STACKCTL) up

down:
	$(STACKCTL) down

status:
	$(STACKCTL) status

test:
	$(STACKCTL) install
	.venv/bin/lint-imports --no-cache
	$(STACKCTL) test $(PYTEST_ARGS) $(ARGS)

# The same suite against a Redis Cluster of six nodes (3 masters, 3 replicas) instead of one server.
test-cluster:
	REDIS_MODE=cluster $(MAKE) test

# The long schemathesis profile (the quick one runs in make test); docs/api.md.
fuzz:
	FUZZ_PROFILE=long $(STACKCTL) test tests/e2e/test_fuzz.py -s $(ARGS)

bench:
	$(STACKCTL) bench $(ARGS)
