"""The user's project: the directory with ``cdk.json``, found from the working directory.

Everything that reads "the project" (synth, check, plan, verify, the rehearsal) goes through here,
so the commands work the same from this repository and from a project made by ``ecs-toolkit init``
with the package installed from a wheel.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FALLBACK_CONFIG = "config/default.yaml"
"""The manifest when the project's cdk.json names none."""


def project_root(start: Path | None = None) -> Path:
    """The nearest directory with a ``cdk.json``: the working directory or one above it; else the working directory."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "cdk.json").is_file():
            return candidate
    return here


def _settings(root: Path) -> dict[str, Any] | None:
    path = root / "cdk.json"
    if not path.is_file():
        return None
    settings: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return settings


def cdk_context(root: Path | None = None) -> dict[str, Any]:
    """The project's cdk.json context (feature flags): an App built in-process does not read it by itself.

    Outside a project, the context the toolkit ships with (the feature flags of its pinned aws-cdk-lib)."""
    settings = _settings(root or project_root())
    if settings is None:
        from ecs_toolkit.scaffold import cdk_context as shipped

        return dict(shipped())
    context: dict[str, Any] = settings.get("context", {})
    return context


def default_config(root: Path | None = None) -> str:
    """The manifest commands use without ``--config``: cdk.json's ``config`` context, relative to the working directory."""
    root = root or project_root()
    settings = _settings(root) or {}
    name = str(settings.get("context", {}).get("config") or FALLBACK_CONFIG)
    path = root / name
    relative = os.path.relpath(path, Path.cwd())
    return relative if not relative.startswith("..") else str(path)
