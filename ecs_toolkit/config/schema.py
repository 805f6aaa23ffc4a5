"""The manifest's JSON Schema, generated from the models (``ecs-toolkit schema``, ``make docs``).

Editors read it through the first line of every shipped manifest
(``# yaml-language-server: $schema=../schema/manifest.schema.json``): completion, hover text from the
field docstrings, defaults, and a mark on unknown fields. The schema checks each field on its own;
the rules between fields (min <= max, Fargate cpu/memory pairs, references between sections) run
in ``python -m ecs_toolkit.config``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ecs_toolkit.config.models import EnvironmentConfig

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "manifest.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def build() -> dict[str, Any]:
    """The schema as a dictionary."""
    schema = EnvironmentConfig.model_json_schema(mode="validation")
    head = {
        "$schema": DIALECT,
        "title": "ecs-toolkit manifest",
        "description": "One ECS environment: network, cluster and capacity, load balancer, file systems, services and jobs. "
        "Generated from ecs_toolkit/config/models.py; the rules between fields are checked by "
        "`python -m ecs_toolkit.config FILE`.",
    }
    return {**head, **{key: value for key, value in schema.items() if key not in head}}


def render() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def write(path: Path = SCHEMA) -> bool:
    """Rewrite the schema file; True if it changed."""
    text = render()
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        print(f"{SCHEMA.relative_to(ROOT)}: {'updated' if write() else 'unchanged'}")
    else:
        sys.stdout.write(render())
