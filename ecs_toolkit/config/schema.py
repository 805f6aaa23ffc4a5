"""The manifest's JSON Schema, generated from the models (``ecs-toolkit schema``, ``make docs``).

Editors read it through the first line of every shipped manifest
(``# yaml-language-server: $schema=../schema/manifest.schema.json``): completion, hover text from the
field docstrings, defaults, and a mark on unknown fields. The schema checks each field on its own;
the rules between fields (min <= max, Fargate cpu/memory pairs, references between sections) run
in ``python -m ecs_toolkit.config``.

An environment that extends a base (``extends: FILE``), and a base itself, are partial: they name
``schema/overlay.schema.json`` instead, the same schema with no field required (an editor cannot see
the merge; the loader checks the merged environment). In both schemas a patterned string may hold
``${NAME}``, replaced when the manifest is read; a number or boolean written as ``${NAME}`` is
marked by editors, yet loads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ecs_toolkit.config.models import EnvironmentConfig

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "manifest.schema.json"
OVERLAY_SCHEMA = ROOT / "schema" / "overlay.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def build(*, partial: bool = False) -> dict[str, Any]:
    """The schema as a dictionary; ``partial``: of a base or of an environment that extends one (nothing required)."""
    schema = EnvironmentConfig.model_json_schema(mode="validation")
    schema["properties"] = {
        "extends": {
            "type": "string",
            "title": "Extends",
            "description": "The base manifest this environment is merged over, relative to this file "
            "(docs/guide/environments.md): mappings merge key by key, lists and scalars replace, null removes a key.",
        },
        **schema["properties"],
    }
    _allow_variables(schema)
    head = {
        "$schema": DIALECT,
        "title": "ecs-toolkit manifest",
        "description": "One ECS environment: network, cluster and capacity, load balancer, file systems, services and jobs. "
        "Generated from ecs_toolkit/config/models.py; the rules between fields are checked by "
        "`python -m ecs_toolkit.config FILE`.",
    }
    if partial:
        _drop_required(schema)
        head["title"] = "ecs-toolkit manifest: a base, or an environment that extends one"
        head["description"] = (
            "Part of an ECS environment: a base manifest (*.base.yaml), or an environment with `extends`. Every field "
            "is optional here; `python -m ecs_toolkit.config FILE` checks the environment once merged."
        )
    return {**head, **{key: value for key, value in schema.items() if key not in head}}


def _allow_variables(node: Any) -> None:
    """Let every patterned string also hold ``${NAME}`` (replaced before validation)."""
    if isinstance(node, dict):
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            node["pattern"] = f"(?:{pattern})|\\$\\{{"
        for value in node.values():
            _allow_variables(value)
    elif isinstance(node, list):
        for value in node:
            _allow_variables(value)


def _drop_required(node: Any) -> None:
    """Nothing required, and every field or named entry may be ``null`` (which removes what the base sets)."""
    if isinstance(node, dict):
        node.pop("required", None)
        for value in node.values():
            _drop_required(value)
        for key in ("properties", "patternProperties"):
            if isinstance(node.get(key), dict):
                node[key] = {name: _nullable(value) for name, value in node[key].items()}
        if isinstance(node.get("additionalProperties"), dict):
            node["additionalProperties"] = _nullable(node["additionalProperties"])
    elif isinstance(node, list):
        for value in node:
            _drop_required(value)


def _nullable(field: dict[str, Any]) -> dict[str, Any]:
    """``field`` or ``null``; its title, description and default stay on top, where editors show them."""
    shown: dict[str, Any] = {key: field[key] for key in ("title", "description", "default") if key in field}
    rest = {key: value for key, value in field.items() if key not in shown}
    return {**shown, "anyOf": [rest, {"type": "null"}]}


def render(*, partial: bool = False) -> str:
    """The schema as the committed file holds it."""
    return json.dumps(build(partial=partial), indent=2, ensure_ascii=False) + "\n"


def write(path: Path = SCHEMA, *, partial: bool = False) -> bool:
    """Rewrite the schema file; True if it changed."""
    text = render(partial=partial)
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        print(f"{SCHEMA.relative_to(ROOT)}: {'updated' if write() else 'unchanged'}")
        print(f"{OVERLAY_SCHEMA.relative_to(ROOT)}: {'updated' if write(OVERLAY_SCHEMA, partial=True) else 'unchanged'}")
    else:
        sys.stdout.write(render())
