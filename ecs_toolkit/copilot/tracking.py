"""Which Copilot fields the mapping read, and a report line for every one it did not."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ecs_toolkit.copilot.fields import CARRIED, DROPPED, FieldRule, Manifest, rule_for
from ecs_toolkit.copilot.reading import FieldPath, Located


@dataclass(frozen=True)
class Note:
    """One report line: ``file:line: field: message``."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class Fields:
    """A manifest's values; reading one marks it (and everything below it) as handled."""

    def __init__(self, located: Located, manifest: Manifest) -> None:
        self.located = located
        self.manifest = manifest
        self.used: set[FieldPath] = set()
        self.notes: list[Note] = []

    def peek(self, *path: str) -> Any:
        value: Any = self.located.data
        for part in path:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value

    def get(self, *path: str) -> Any:
        """The value at ``path`` (``None`` when absent), marked as handled."""
        self.used.add(tuple(path))
        return self.peek(*path)

    def note(self, path: FieldPath, message: str) -> None:
        file, line = self.located.origin(path)
        self.notes.append(Note(file, line, ".".join(path), message))

    def drop(self, path: FieldPath, why: str | None = None) -> None:
        """Mark ``path`` handled and report it as not carried over (with the table's reason unless ``why``)."""
        self.used.add(path)
        if why is None:
            rule = rule_for(self.manifest, path)
            why = rule.why if rule is not None else "not a field the importer knows"
        self.note(path, f"not carried over: {why}")

    def leftovers(self) -> None:
        """A note for every value no mapping read, at the depth of its entry in the field table."""
        reported: set[FieldPath] = set()
        for path in _leaves(self.located.data):
            if any(path[:n] in self.used for n in range(len(path) + 1)):
                continue
            rule = rule_for(self.manifest, path)
            depth = len(rule.pattern.split(".")) if rule is not None else 0
            if rule is None or (depth < len(path) and rule.outcome != DROPPED and not path[depth].isdigit()):
                # A key the table does not know, below a field it does (or at the top).
                at, rule = path[: depth + 1], None
            else:
                at = path[:depth]
            if at in reported:
                continue
            reported.add(at)
            self.note(at, f"not carried over: {_why(rule)}")


def _why(rule: FieldRule | None) -> str:
    if rule is None:
        return "not a field of Copilot's manifest that the importer knows (check the spelling against Copilot's reference)"
    if rule.outcome == DROPPED:
        return rule.why
    if rule.outcome == CARRIED:
        return f"this form of the value is not one the importer reads ({rule.becomes} was left out)"
    return f"this form of the value is not one the importer converts ({rule.becomes} was left out)"


def _leaves(value: Any, path: FieldPath = ()) -> list[FieldPath]:
    if isinstance(value, dict) and value:
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, str(key)))]
    if isinstance(value, list) and value:
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, str(index)))]
    return [path] if path else []


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(value: Any) -> float | None:
    """A Go duration (``30s``, ``1m30s``, ``2h``) in seconds, or ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    total = 0.0
    position = 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            return None
        total += float(match[1]) * _UNIT_SECONDS[match[2]]
        position = match.end()
    return total if position == len(text) and position > 0 else None


def whole_seconds(value: Any) -> int | None:
    seconds = duration_seconds(value)
    return None if seconds is None else math.ceil(seconds)
