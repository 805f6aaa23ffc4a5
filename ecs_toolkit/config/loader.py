"""Read a manifest and report every problem as ``file:line: field.path: message``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.config.rules import Finding, Location, check_rules


class ManifestError(Exception):
    """All problems of one manifest; ``str()`` gives one line per problem."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def load_manifest(path: str | Path) -> EnvironmentConfig:
    """Parse, validate and cross-check a manifest, or raise ``ManifestError`` with every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError([f"{path}: cannot read: {error}"]) from None
    document = _parse_yaml(path, text)
    if not isinstance(document, CommentedMap):
        raise ManifestError([f"{path}:1: the manifest must be a mapping of settings"])
    try:
        config = EnvironmentConfig.model_validate(_plain(document))
    except ValidationError as error:
        raise ManifestError(_format(path, document, _pydantic_problems(error, document))) from None
    findings = list(check_rules(config))
    if findings:
        raise ManifestError(_format(path, document, findings))
    return config


def _parse_yaml(path: Path, text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or error.context or "invalid YAML"
        raise ManifestError([f"{path}:{line}: yaml: {reason}"]) from None
    except ReaderError as error:
        line = text.count("\n", 0, max(error.position, 0)) + 1
        raise ManifestError([f"{path}:{line}: yaml: unacceptable character #x{error.character:04x}: {error.reason}"]) from None
    except YAMLError as error:
        raise ManifestError([f"{path}: yaml: {' '.join(str(error).split())}"]) from None


def _plain(node: Any) -> Any:
    """Round-trip containers to plain dicts and lists, so pydantic sees ordinary data."""
    if isinstance(node, CommentedMap):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(value) for value in node]
    return node


_UNION_TAG = re.compile(r"^(constrained-)?(int|str|bool|float)$|\[|^[A-Z][A-Za-z]*Config$")
"""Pydantic names the union member in error locations (`constrained-int`, `list[str]`, `VolumeConfig`);
manifest names are lower-case, so these never clash with a key."""


def _pydantic_problems(error: ValidationError, document: CommentedMap) -> Iterable[Finding]:
    by_union: dict[Location, list[tuple[str, Location, ErrorDetails]]] = {}
    for item in error.errors(include_url=False):
        location = tuple(item["loc"])
        tag_index = _union_tag_index(document, location)
        if tag_index is None:
            yield location, _message(item)
            continue
        tag = str(location[tag_index])
        stripped = location[:tag_index] + location[tag_index + 1 :]
        by_union.setdefault(location[:tag_index], []).append((tag, stripped, item))
    for union_location, members in by_union.items():
        specific = [(loc, item) for _, loc, item in members if not item["type"].endswith(("_type", "_parsing"))]
        if specific:
            for loc, item in specific:
                yield loc, _message(item)
        else:
            expected = " or ".join(dict.fromkeys(_describe_tag(tag) for tag, _, _ in members))
            yield union_location, f"expected {expected} (got {members[0][2]['input']!r})"


def _union_tag_index(document: CommentedMap, location: Location) -> int | None:
    """Where pydantic put a union member's name into ``location``: a tag-shaped part that is not a key of the manifest."""
    node: Any = document
    for index, part in enumerate(location):
        child = _child(node, part)
        if child is _MISSING and isinstance(part, str) and _UNION_TAG.search(part):
            return index
        node = child
    return None


def _describe_tag(tag: str) -> str:
    return {
        "constrained-int": "a whole number",
        "int": "a whole number",
        "str": "a string",
        "list[str]": "a list of strings",
    }.get(tag, "a mapping" if tag.endswith("Config") else tag)


def _message(item: ErrorDetails) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "is required"
    if kind == "string_pattern_mismatch":
        return f"{item['input']!r} does not match the expected format {item['ctx']['pattern']}"
    if kind == "literal_error":
        return f"{item['input']!r} is not one of {item['ctx']['expected']}"
    return f"{item['msg']} (got {item['input']!r})"


_MISSING = object()


def _child(node: Any, part: str | int) -> Any:
    """The YAML node at ``part`` below ``node``, or ``_MISSING``."""
    if isinstance(node, CommentedMap) and part in node:
        return node[part]
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _MISSING


def _line_of(document: CommentedMap, location: Location) -> int:
    """The 1-based line of the deepest part of ``location`` that exists in the YAML document."""
    node: Any = document
    line = 1
    for part in location:
        child = _child(node, part)
        if child is _MISSING:
            break
        if isinstance(node, CommentedSeq):
            line = node.lc.item(part)[0] + 1
        else:
            # A key inherited through a YAML merge (<<: *anchor) has no position here: use the mapping's.
            line = node.lc.key(part)[0] + 1 if part in node.lc.data else node.lc.line + 1
        node = child
    return line


def _format(path: Path, document: CommentedMap, findings: Iterable[Finding]) -> list[str]:
    """One line per finding, in file order, duplicates dropped."""
    located = set()
    for location, message in findings:
        dotted = ".".join(str(part) for part in location) or "(manifest)"
        located.add((_line_of(document, location), dotted, message))
    return [f"{path}:{line}: {dotted}: {message}" for line, dotted, message in sorted(located)]
