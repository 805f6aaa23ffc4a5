# Every target installs what it needs, so each works on a fresh machine with Python 3.11+, Node and npm.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?= config/default.yaml
# The Node 22 runtime from package.json runs the CDK CLI and jsii (Node 20 is end-of-life for jsii).
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup synth docs test lint check deploy-local plan bench dist clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

# The same commands a project made by `ecs-toolkit init` runs: this Makefile only adds the setup.
synth: setup
	rm -rf cdk.out
	$(VENV)/bin/ecs-toolkit synth --config $(CONFIG)

docs: setup
	$(PY) -m ecs_toolkit.config.reference README.md

lint: setup
	$(PY) -m ruff check ecs_toolkit tests examples app.py
	$(PY) -m ruff format --check ecs_toolkit tests examples app.py
	$(PY) -m mypy

# The compliance gates on every manifest under config/; checkov gets its own venv (it pins an old boto3).
check: setup
	@test .venv-checkov/.installed -nt requirements-checkov.txt || { \
		{ test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov; } && \
		.venv-checkov/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt && \
		touch .venv-checkov/.installed; }
	$(VENV)/bin/ecs-toolkit check --require-checkov

test: setup lint check
	$(PY) -m pytest -n 2 --dist loadfile

# Bootstrap + deploy rehearsal of $(CONFIG) into a local moto server (free port), verified against the templates.
deploy-local: setup
	$(VENV)/bin/ecs-toolkit rehearse --config $(CONFIG)

# Worst-case rollout, monthly cost, EC2 packing and stack size of $(CONFIG), from its synthesized templates.
plan: setup
	$(VENV)/bin/ecs-toolkit plan --config $(CONFIG) $(PLAN_ARGS)

# Synth time and memory: toolkit vs plain CDK vs an empty app, and 1-80 services; writes bench/results.md.
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

# The wheel and sdist in dist/, checked by twine (PyPI's own metadata rules).
dist: setup
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(PY) -m twine check --strict dist/*

clean:
	rm -rf cdk.out dist .pytest_cache .mypy_cache .ruff_cache
