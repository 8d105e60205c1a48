# treem — the two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve setup test bench bench-load lint typecheck check-imports clean-pyc help

help:
	@echo "make run    – cài đặt, nạp dữ liệu danh mục và dữ liệu trình diễn, chạy tại http://$(HOST):$(PORT)"
	@echo "make serve  – chạy như môi trường thật trên PostgreSQL (gunicorn + tiến trình việc nền; cần DATABASE_URL)"
	@echo "make test   – chạy toàn bộ bộ kiểm thử"
	@echo "make bench  – chạy các phép đo hiệu năng"

$(VENV)/.base-installed: requirements/base.txt
	@test -n "$(PYTHON)" || { echo "Cần Python 3.11 trở lên (python3.11, python3.12 hoặc python3.13)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.base-installed requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

setup: $(VENV)/.base-installed
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_reference
	$(PY) manage.py load_plan reference_data/plans/lai-chau-2024.yaml
	$(PY) manage.py load_validation_rules
	$(PY) manage.py load_child_friendly
	$(PY) manage.py seed_demo

run: setup
	@echo "treem đang chạy tại http://$(HOST):$(PORT)  (kiểm tra: http://$(HOST):$(PORT)/healthz; dừng: Ctrl+C)"
	@bin/serve $(HOST) $(PORT)

serve: $(VENV)/.base-installed
	@bin/serve-production

test: $(VENV)/.dev-installed
	@mkdir -p var
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} -m "not browser" $(PYTEST_ARGS)
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

$(VENV)/.bench-installed: $(VENV)/.dev-installed requirements/bench.txt
	$(PY) -m pip install --quiet --disable-pip-version-check six==1.17.0 wheel==0.44.0
	$(PY) -m pip install --quiet --disable-pip-version-check --no-build-isolation -r requirements/bench.txt
	@touch $@

bench: $(VENV)/.bench-installed
	@mkdir -p var
	@set -e; for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script; done
	@$(MAKE) --no-print-directory bench-load

.venv-load/.installed: requirements/load.txt
	@test -x .venv-load/bin/python || $(PYTHON) -m venv .venv-load
	.venv-load/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/load.txt
	@touch $@

# The load test on a PostgreSQL bench database of its own (LOAD_DATABASE, default treem_bench_load; LOAD_SERVER,
# default postgres://postgres@127.0.0.1:5432): 20 and 50 users for 60 s each. The long run: LOAD_SECONDS=600.
bench-load: $(VENV)/.base-installed .venv-load/.installed
	@mkdir -p var
	@echo "== bench/load/run.py"
	@$(PY) bench/load/run.py

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.dev-installed
	$(VENV)/bin/mypy config treem

check-imports: $(VENV)/.dev-installed
	$(VENV)/bin/lint-imports
