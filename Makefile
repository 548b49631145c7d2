# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two pytest workers: each gets its own database and Redis db (tests/conftest.py).
PYTEST_ARGS ?= -n 2
export FLASK_APP := plugin

.PHONY: run test lint install node bench resilience worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	# npm install, not npm ci: npm 11 leaves other platforms' optional packages out of the lock
	# file it writes, and npm ci then refuses it. The lock file still pins every version.
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Dev mode: SQLite under instance/, jobs in-process, the fake Admin API; demo data on first run.
run: install
	FLASK_DEBUG=1 $(BIN)/flask db upgrade heads
	FLASK_DEBUG=1 $(BIN)/flask demo
	@echo ""
	@echo "  TESmart Members on http://127.0.0.1:$(PORT)"
	@echo "  Local storefront (tesmart.com; 2 = .de, 3 = .jp, 4 = .co.kr: tesmart-eu/-jp/-kr, customers N001..N004, N007):"
	@echo "    visitor (the join pitch): http://127.0.0.1:$(PORT)/dev/storefront?shop=tesmart-us.myshopify.com&customer="
	@echo "    legacy member (Ada):      http://127.0.0.1:$(PORT)/dev/storefront?shop=tesmart-us.myshopify.com&customer=1001"
	@echo "    2025-04 member (Ben):     http://127.0.0.1:$(PORT)/dev/storefront?shop=tesmart-us.myshopify.com&customer=1002"
	@echo "    2025-11 member (Chloe):   http://127.0.0.1:$(PORT)/dev/storefront?shop=tesmart-us.myshopify.com&customer=1003"
	@echo "    pending ID (Dan, viewed without logging in): http://127.0.0.1:$(PORT)/dev/storefront?shop=tesmart-us.myshopify.com&customer=1004&preview=1"
	@echo "    member with no points (Gus, 2025-04): http://127.0.0.1:$(PORT)/dev/storefront?shop=tesmart-us.myshopify.com&customer=1007"
	@echo "    Korean legacy member (Ada, her own terms): http://127.0.0.1:$(PORT)/dev/storefront?shop=tesmart-kr.myshopify.com&customer=4001"
	@echo "    referral landing: follow a member's link from the Refer a friend card while logged out"
	@echo "  Local admin:      http://127.0.0.1:$(PORT)/dev/admin?shop=tesmart-us.myshopify.com"
	@echo "    in German, as a tesmart.de operator: http://127.0.0.1:$(PORT)/dev/admin?shop=tesmart-eu.myshopify.com&locale=de (ja, ko likewise)"
	@echo "  Fresh demo data:  FLASK_DEBUG=1 $(BIN)/flask demo --force"
	@echo ""
	FLASK_DEBUG=1 $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	$(BIN)/mypy

worker: install
	$(BIN)/flask worker

bench: install
	$(BIN)/python -m benchmarks $(ARGS)

resilience: install
	$(BIN)/pytest -m resilience

clean:
	rm -rf $(VENV) node_modules instance test-artifacts
