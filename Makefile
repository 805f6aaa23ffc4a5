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

# pip and npm print what they fetch; the first install takes a few minutes (see "Install size" in docs/getting-started.md).
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@echo "==> [1/2] Python packages into $(VENV)/ (aws-cdk-lib, cdk-nag, boto3, pydantic; moto, cfn-lint, pytest, mypy for the tests):"
	@echo "    about 870 MB, 2-4 minutes the first time, seconds when nothing changed"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@
	@echo "==> Python packages ready"

node_modules/.installed: package.json
	@echo "==> [2/2] the pinned CDK CLI and a Node 22 runtime into node_modules/: about 215 MB, under a minute"
	npm install --no-audit --no-fund --loglevel=error
	@touch $@
	@echo "==> node_modules ready"

# The docs site's tools (MkDocs + Material, about 125 MB) go into $(VENV) only when a docs build needs them.
$(VENV)/.docs-installed: requirements-docs.txt $(VENV)/.installed
	@echo "==> MkDocs and the Material theme into $(VENV)/ for the docs site: about 125 MB, under a minute"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-docs.txt
	@touch $@

# The same commands a project made by `ecs-toolkit init` runs: this Makefile only adds the setup.
synth: setup
	rm -rf cdk.out
	$(VENV)/bin/ecs-toolkit synth --config $(CONFIG)

# Regenerate what is generated from the code (manifest reference, JSON Schema, compliance page), then build the site
# in strict mode into site/: a broken link, a missing page or a page outside the nav fails.
docs: setup $(VENV)/.docs-installed
	$(PY) -m ecs_toolkit.config.reference docs/reference/manifest.md
	$(PY) -m ecs_toolkit.config.schema --write
	$(PY) -m ecs_toolkit.checks --write-docs
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict
	@echo "docs built into site/ (open site/index.html)"

lint: setup
	$(PY) -m ruff check ecs_toolkit tests examples app.py
	$(PY) -m ruff format --check ecs_toolkit tests examples app.py
	$(PY) -m mypy

# The compliance gates on every manifest under config/; checkov gets its own venv (it pins an old boto3).
check: setup
	@test .venv-checkov/.installed -nt requirements-checkov.txt || { \
		echo "==> checkov into .venv-checkov/ (its own venv: it pins an old boto3): about 290 MB, about a minute, once"; \
		{ test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov; } && \
		.venv-checkov/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt && \
		touch .venv-checkov/.installed; }
	$(VENV)/bin/ecs-toolkit check --require-checkov

# tests/docs builds the docs site in strict mode, so the docs tools are installed first.
test: setup lint check $(VENV)/.docs-installed
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
	rm -rf cdk.out dist site .pytest_cache .mypy_cache .ruff_cache
