"""Read the stack templates of a cloud assembly (a ``cdk.out`` directory)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ecs_toolkit.plan.errors import PlanError

STACK_ARTIFACT = "aws:cloudformation:stack"


def read_templates(directory: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> template, for every stack artifact in ``directory/manifest.json``."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(f"{directory}: no cloud assembly here (manifest.json is missing)") from None
    except (OSError, ValueError) as error:
        raise PlanError(f"{manifest_path}: cannot read: {error}") from None
    templates = {}
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        properties = artifact.get("properties", {})
        name = properties.get("stackName") or artifact_id
        path = directory / properties.get("templateFile", f"{artifact_id}.template.json")
        try:
            templates[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PlanError(f"{path}: cannot read the template of stack {name}: {error}") from None
    return templates


def holds_stacks(directory: Path, stacks: Iterable[str]) -> bool:
    """Whether ``directory`` is a cloud assembly with a template for each of ``stacks``."""
    try:
        found = read_templates(directory)
    except PlanError:
        return False
    return all(name in found for name in stacks)
