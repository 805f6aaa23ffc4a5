"""Shared for the compliance tests: manifest parameters grouped per manifest, and cached gate results.

Everything reads the shared synthesized apps of tests/conftest.py (built once per process) and
caches what it derives, so a gate's tests cost one evaluation per manifest, not one per test.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.checks import nag
from ecs_toolkit.checks.report import manifest_packs
from ecs_toolkit.config import EnvironmentConfig
from tests.conftest import MANIFESTS, ROOT, synthesize


def label(manifest: Path) -> str:
    return manifest.stem


def per_manifest() -> list[Any]:
    """One parameter per example manifest, grouped so that one xdist worker gets all of a manifest's tests."""
    return [pytest.param(path, id=label(path), marks=pytest.mark.xdist_group(f"manifest-{label(path)}")) for path in MANIFESTS]


def config(manifest: Path) -> EnvironmentConfig:
    return synthesize(manifest).environment.config


def packs(manifest: Path) -> list[str]:
    """AwsSolutions plus whatever extra packs the manifest names."""
    return nag.pack_names(manifest_packs(config(manifest)))


@dataclass(frozen=True)
class NagResult:
    raw: list[nag.Finding]
    """Before acknowledgement."""
    left: list[nag.Finding]
    """What cdk-nag itself still reports."""
    acknowledgements: list[nag.Acknowledgement]
    prefixes: list[str]

    def is_nag_rule(self, rule_id: str) -> bool:
        return nag.is_nag_rule(rule_id, self.prefixes)


@cache
def nag_result(manifest: Path) -> NagResult:
    app = synthesize(manifest).app
    names = packs(manifest)
    return NagResult(
        raw=nag.findings(app, names, before_acknowledgement=True),
        left=nag.findings(app, names),
        acknowledgements=nag.acknowledgements(app),
        prefixes=nag.rule_prefixes(names),
    )


@cache
def template_paths(manifest: Path) -> list[Path]:
    """The synthesized templates of every stack of the manifest (inside its cloud assembly)."""
    return [Path(stack.template_full_path) for stack in synthesize(manifest).assembly.stacks]


@cache
def templates(manifest: Path) -> dict[str, dict[str, Any]]:
    """``{stack name: template}``."""
    return {stack.stack_name: stack.template for stack in synthesize(manifest).assembly.stacks}


__all__ = ["MANIFESTS", "ROOT", "NagResult", "config", "label", "nag_result", "per_manifest", "template_paths", "templates"]
