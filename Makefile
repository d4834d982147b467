# The two commands a newcomer needs: `make run` and `make test`.
# Each installs what it needs first (scripts/bootstrap.sh is idempotent).
PY := .venv/bin/python
# The layering contracts of pyproject.toml's [tool.importlinter] (docs/testing.md).
LINT_IMPORTS := .venv/bin/lint-imports --no-cache --no-logo

.PHONY: run test test-unit test-integration test-e2e lint bench fuzz audit

run:
	@scripts/bootstrap.sh run
	@$(PY) -m scripts.run_system

test:
	@scripts/bootstrap.sh test
	@$(PY) -m ruff check .
	@$(PY) -m mypy
	@$(LINT_IMPORTS)
	@$(PY) -m pytest $(PYTEST_ARGS)

# One tier of `make test` (markers set by tests/markers.py): test-unit is a developer's quick loop.
test-unit test-integration test-e2e:
	@scripts/bootstrap.sh test
	@$(PY) -m pytest -m $(@:test-%=%) $(PYTEST_ARGS)

lint:
	@$(PY) -m ruff check .
	@$(PY) -m mypy
	@$(LINT_IMPORTS)

bench:
	@scripts/bootstrap.sh test
	@$(PY) -m bench

# The fuzz tests of `make test`, long: many random examples instead of a few seeded ones
# (HYPOTHESIS_PROFILE=long, tests/conftest.py); failures are kept in var/hypothesis and tried first.
FUZZ_TESTS := tests/security/test_fuzz_parsers.py tests/security/test_fuzz_api_answers.py tests/card/test_card_parsers.py \
	tests/card/test_card_hostile_card.py tests/kiosk/test_cardnumber.py tests/server/test_api_fuzz.py

fuzz:
	@scripts/bootstrap.sh test
	@HYPOTHESIS_PROFILE=long $(PY) -m pytest -p no:cacheprovider -o timeout=0 $(FUZZ_TESTS) $(PYTEST_ARGS)

# Known vulnerabilities in the pinned packages (pip-audit; needs internet access to its data).
audit:
	@scripts/bootstrap.sh test
	@$(PY) -m scripts.audit
