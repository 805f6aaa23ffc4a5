"""The manifest reference in Markdown, generated from the models (``python -m ecs_toolkit.config.reference``)."""

from __future__ import annotations

import inspect
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ecs_toolkit.config.models import EnvironmentConfig

START = "<!-- manifest-reference:start -->"
END = "<!-- manifest-reference:end -->"


def render(root: type[BaseModel] = EnvironmentConfig) -> str:
    """One table per model, in the order a reader meets them from the top of the manifest."""
    sections: list[str] = []
    seen: set[type[BaseModel]] = set()
    queue: list[tuple[str, type[BaseModel]]] = [("(top level)", root)]
    while queue:
        path, model = queue.pop(0)
        if model in seen:
            continue
        seen.add(model)
        rows = ["| field | type | default | meaning |", "|---|---|---|---|"]
        for name, field in _own_fields_first(model):
            rows.append(f"| `{name}` | {_type(field.annotation)} | {_default(field)} | {_describe(field)} |")
            for nested in _models(field.annotation):
                queue.append((f"{path}.{name}" if path != "(top level)" else name, nested))
        doc = " ".join((model.__doc__ or "").split("\n\n")[0].split())
        sections.append(f"#### `{path}` ({model.__name__})\n\n" + (f"{doc}\n\n" if doc else "") + "\n".join(rows))
    return "\n\n".join(sections) + "\n"


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
        return " \\| ".join(f"`{value}`" for value in get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(arg) for arg in get_args(annotation) if arg is not type(None))
    if origin is list:
        return f"list of {_type(get_args(annotation)[0])}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"map {_type(key)} → {_type(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.default
    if value is PydanticUndefined or value is None:
        return "-"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`".replace("|", "\\|")


def _describe(field: FieldInfo) -> str:
    return " ".join((field.description or "").split()).replace("|", "\\|")


def update_readme(readme: Path) -> bool:
    """Rewrite the README's reference block; True if it changed."""
    text = readme.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    updated = f"{before}{START}\n{render()}{END}{after}"
    if updated != text:
        readme.write_text(updated)
    return updated != text


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("updated" if update_readme(Path(sys.argv[1])) else "unchanged")
    else:
        print(render(), end="")
