"""The manifest reference page, generated from the models (``python -m ecs_toolkit.config.reference``).

Sections follow the manifest from the top, depth first (``cluster``, ``cluster.capacity``,
``cluster.capacity.ec2``, ... before ``load_balancer``); every field has its type, the values it
allows (the words the error messages use), its default, an example taken from the shipped manifests
under ``config/`` where one uses it, and its meaning (the field's docstring).
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from ruamel.yaml import YAML

from ecs_toolkit.config.messages import _base, _constraints, _expected, _members, show
from ecs_toolkit.config.models import EnvironmentConfig

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "manifest.md"
MANIFESTS = ROOT / "config"

HEADER = """\
# Manifest reference

<!-- Generated from ecs_toolkit/config/models.py by `make docs`; tests/docs/test_docs.py fails when it is stale. -->

Every field of a manifest, in the order a manifest is written: a section's sub-sections follow it.
**allowed** is what validation accepts, in the words its messages use; **example** is the first
use in the shipped manifests under `config/` (else the default or the first choice). Editors get
the same text from the [JSON Schema](../getting-started.md#editor-support), and a
[complete annotated manifest](annotated-manifest.md) shows the fields together.
"""


EXAMPLES: dict[str, Any] = {
    "cluster.namespace": "shop.internal",
    "file_systems.kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "file_systems.provisioned_throughput_mibps": 128,
    "file_systems.removal": "destroy",
    "services.allow_from": ["10.8.0.0/16", "pl-0123abcd"],
    "services.entry_point": ["/docker-entrypoint.sh"],
    "services.secrets_kms_key_arns": ["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    "services.route.priority": 100,
    "services.nlb.health_check_port": 8080,
    "services.sidecars.cpu": 64,
    "services.sidecars.port": 9090,
    "services.sidecars.command": ["--config", "/etc/agent.yaml"],
    "services.sidecars.environment": {"LOG_LEVEL": "info"},
    "services.sidecars.secrets": {"API_KEY": "ssm:/shop/agent-key"},
    "services.deployment.grace_period_seconds": 60,
    "services.scaling.memory_percent": 70,
    "services.scaling.custom_metric": {"namespace": "Shop", "name": "InFlight", "dimensions": {"Service": "web"}, "target": 20},
    "services.scaling.custom_metric.namespace": "Shop",
    "services.scaling.custom_metric.name": "InFlight",
    "services.scaling.custom_metric.dimensions": {"Service": "web"},
    "services.scaling.custom_metric.target": 20,
    "services.scaling.schedule.max": 10,
    "services.scaling.queue.arn": "arn:aws:sqs:eu-west-1:111122223333:orders",
    "compliance.packs": ["hipaa"],
}
"""Examples for fields that no shipped manifest uses (a test validates each against its field's type)."""


def render(root: type[BaseModel] = EnvironmentConfig, manifests: Path = MANIFESTS) -> str:
    """The whole page: one table per model, depth first from the top of the manifest."""
    examples = {**EXAMPLES, **collect_examples(root, manifests)}
    sections = [_section(path, model, examples) for path, model in _walk(root, "")]
    return HEADER + "\n" + "\n\n".join(sections) + "\n"


def _walk(model: type[BaseModel], path: str, seen: frozenset[type[BaseModel]] = frozenset()) -> Iterator[tuple[str, type]]:
    yield path, model
    for name, field in _own_fields_first(model):
        for nested in _models(field.annotation):
            if nested not in seen | {model}:
                yield from _walk(nested, f"{path}.{name}" if path else name, seen | {model})


def _section(path: str, model: type[BaseModel], examples: dict[str, Any]) -> str:
    rows = ["| field | type | allowed | default | example | meaning |", "|---|---|---|---|---|---|"]
    for name, field in _own_fields_first(model):
        key = f"{path}.{name}" if path else name
        rows.append(
            f"| `{name}` | {_type(field.annotation)} | {_cell(_allowed(field))} | {_default(field)} "
            f"| {_example(key, field, examples)} | {_cell(_describe(field))} |"
        )
    doc = " ".join((model.__doc__ or "").split("\n\n")[0].split())
    if model.__doc__ is None or model.__doc__ == BaseModel.__doc__:
        doc = ""
    title = f"`{path}`" if path else "Top level"
    return f"## {title}\n\n" + (f"{doc}\n\n" if doc else "") + "\n".join(rows)


def _own_fields_first(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """A model's own fields, then those it shares through a base (``ServiceConfig``'s container settings)."""
    own = inspect.get_annotations(model)
    return sorted(model.model_fields.items(), key=lambda item: item[0] not in own)


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models(arg)]


def _type(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _type(get_args(annotation)[0])
    if origin is Literal:
        return "choice"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(arg) for arg in get_args(annotation) if arg is not type(None))
    if origin is list:
        return f"list of {_type(get_args(annotation)[0])}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"map {_type(key)} → {'any' if value is Any else _type(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}.get(
        getattr(annotation, "__name__", ""), str(annotation)
    )


def _allowed(field: FieldInfo) -> str:
    annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    return _words(annotation)


def _words(annotation: Any) -> str:
    """What validation accepts, as the messages word it; lists and maps say what each item may be."""
    members = _members(annotation)
    if len(members) > 1:
        return " or ".join(dict.fromkeys(_words(member) for member in members))
    base = _base(members[0])
    origin = get_origin(base)
    if origin is list:
        least = _constraints(members[0]).get("min_length")
        return (f"a list of at least {least}" if least else "a list") + f"; each {_words(get_args(base)[0])}"
    if origin is dict:
        value = get_args(base)[1]
        return "a mapping of names to values" if value is Any else f"a mapping of names; each {_words(value)}"
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "the fields below"
    return _expected(members[0])


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.default
    if value is PydanticUndefined or value is None:
        return "-"
    if isinstance(value, BaseModel):
        return "see below"
    if value == [] or value == {}:
        return "empty"
    return _cell(f"`{show(value)}`")


def _example(key: str, field: FieldInfo, examples: dict[str, Any]) -> str:
    if key in examples:
        return _cell(f"`{show(examples[key], limit=48)}`")
    default = field.default
    if not field.is_required() and default not in (None, PydanticUndefined, [], {}) and not isinstance(default, BaseModel):
        return _cell(f"`{show(field.default, limit=48)}`")
    choices = [arg for arg in get_args(field.annotation) if get_origin(arg) is Literal] or [field.annotation]
    if get_origin(choices[0]) is Literal:
        return _cell(f"`{show(get_args(choices[0])[0])}`")
    return "-"


def _describe(field: FieldInfo) -> str:
    return " ".join((field.description or "").split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- examples from the shipped manifests ---------------------------------------------------------


def collect_examples(root: type[BaseModel], manifests: Path) -> dict[str, Any]:
    """The first value of each field path (names and list positions left out) in the shipped manifests."""
    found: dict[str, Any] = {}
    files = sorted(manifests.rglob("*.yaml"), key=lambda p: (p.name != "default.yaml", str(p)))
    for file in files:
        data = YAML(typ="safe").load(file.read_text())
        if isinstance(data, dict):
            _collect(root, data, "", found)
    return found


def _collect(model: type[BaseModel], data: dict[str, Any], path: str, found: dict[str, Any]) -> None:
    for name, value in data.items():
        field = model.model_fields.get(str(name))
        if field is None:
            continue
        key = f"{path}.{name}" if path else str(name)
        found.setdefault(key, value)
        for nested in _models(field.annotation):
            for body in _bodies(nested, value):
                _collect(nested, body, key, found)


def _bodies(model: type[BaseModel], value: Any) -> list[dict[str, Any]]:
    """The mappings in ``value`` that are bodies of ``model``: itself, or its items when a list or a map of names."""
    if isinstance(value, dict) and value and set(map(str, value)) <= set(model.model_fields):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, dict)]


def write(page: Path = PAGE) -> bool:
    """Rewrite the reference page; True if it changed."""
    text = render()
    if page.exists() and page.read_text() == text:
        return False
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text)
    return True


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("updated" if write(Path(sys.argv[1])) else "unchanged")
    else:
        print(render(), end="")
