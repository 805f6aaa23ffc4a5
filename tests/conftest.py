"""Shared test harness: apps built with the cdk.json context, synthesized once per manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

from ecs_toolkit.config import EnvironmentConfig, load_manifest
from ecs_toolkit.config.overlays import environment_manifests
from ecs_toolkit.stacks.environment import Environment, build

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = sorted(
    [ROOT / "config" / "default.yaml", *environment_manifests(list((ROOT / "config" / "examples").glob("*.yaml")))]
)


def cdk_context() -> dict[str, object]:
    """The feature flags and settings of cdk.json: a bare cdk.App() in a test does not load them."""
    context: dict[str, object] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def new_app(tmp_dir: Path | None = None) -> cdk.App:
    return cdk.App(context=cdk_context(), outdir=str(tmp_dir) if tmp_dir else None)


@dataclass(frozen=True)
class Synthesized:
    """A built and synthesized environment; read-only in tests."""

    app: cdk.App
    environment: Environment
    assembly: cdk.cx_api.CloudAssembly

    def template(self, stack: cdk.Stack) -> assertions.Template:
        return assertions.Template.from_stack(stack)

    def template_json(self, stack_name: str) -> dict[str, object]:
        template: dict[str, object] = self.assembly.get_stack_by_name(stack_name).template
        return template


@cache
def synthesize(manifest: Path) -> Synthesized:
    """Build and synthesize one manifest once per test process."""
    return synthesize_config(load_manifest(manifest))


def synthesize_config(config: EnvironmentConfig) -> Synthesized:
    app = new_app()
    environment = build(app, config)
    return Synthesized(app=app, environment=environment, assembly=app.synth())


@pytest.fixture(scope="session")
def default_env() -> Synthesized:
    return synthesize(ROOT / "config" / "default.yaml")
