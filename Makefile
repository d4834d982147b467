# The two commands a newcomer needs: `make run` and `make test`.
# Each installs what it needs first (scripts/bootstrap.sh is idempotent).
PY := .venv/bin/python

.PHONY: run test lint bench

run:
	@scripts/bootstrap.sh run
	@$(PY) -m scripts.run_system

test:
	@scripts/bootstrap.sh test
	@$(PY) -m ruff check .
	@$(PY) -m pytest $(PYTEST_ARGS)

lint:
	@$(PY) -m ruff check .

bench:
	@scripts/bootstrap.sh test
	@$(PY) -m bench
