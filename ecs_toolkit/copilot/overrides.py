"""A service manifest's ``environments.<env>`` overrides, applied the way Copilot applies them.

Copilot's rules (site/content/docs/include/overrides-intro and manifest/*: "environments"): mappings merge key by
key, every other value (scalars, lists) replaces the base value, and a field that is one of a mutually exclusive
pair replaces its partner (``image.location`` drops ``image.build`` and back; ``count`` as a number replaces a map).
The line of each merged value is the line it was written on: in the override when it came from there.
"""

from __future__ import annotations

from typing import Any

from ecs_toolkit.copilot.reading import FieldPath, Located

EXCLUSIVE: dict[FieldPath, tuple[str, ...]] = {
    ("image",): ("build", "location"),
    ("sidecars", "*", "image"): ("build", "location"),
}
"""Mappings whose keys exclude each other: an override that sets one removes the others."""


def apply_overrides(manifest: Located, environment: str) -> Located:
    """``manifest`` with ``environments.<environment>`` merged in and the ``environments`` section removed.

    The section stays recorded in the origins (``environments...``) so the report can say what was dropped.
    """
    data = dict(manifest.data)
    sections = data.pop("environments", None) or {}
    override = sections.get(environment) if isinstance(sections, dict) else None
    if not isinstance(override, dict):
        return Located(data=data, origins=dict(manifest.origins), file=manifest.file)
    merged = _merge(data, override, ())
    prefix = ("environments", environment)
    from_override = {path[len(prefix) :]: origin for path, origin in manifest.origins.items() if path[: len(prefix)] == prefix}
    origins: dict[FieldPath, tuple[str, int]] = {}
    for path in _paths(merged):
        origin = from_override.get(path) or manifest.origins.get(path)
        if origin is not None:
            origins[path] = origin
    for path, origin in manifest.origins.items():
        if path and path[0] == "environments":
            origins[path] = origin
    return Located(data=merged, origins=origins, file=manifest.file)


def _merge(base: Any, override: Any, path: FieldPath) -> Any:
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for group_path, keys in EXCLUSIVE.items():
        if len(group_path) == len(path) and all(g in ("*", p) for g, p in zip(group_path, path, strict=True)):
            for key in keys:
                if key in override:
                    for other in keys:
                        if other != key:
                            merged.pop(other, None)
    for key, value in override.items():
        merged[key] = _merge(merged[key], value, (*path, key)) if key in merged else value
    return merged


def _paths(value: Any, path: FieldPath = ()) -> list[FieldPath]:
    found: list[FieldPath] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*path, key))
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*path, str(index)))
            found.extend(_paths(item, (*path, str(index))))
    return found
