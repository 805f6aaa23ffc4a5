"""Pydantic's validation errors in plain words: what is wrong and what is allowed.

Each message is read off the field's declared type, so it names the real bounds and choices:
``must be a whole number from 1 to 65535 (got 0)``, ``must be one of: web, backend, worker, job``.
Constrained strings carry their own words (``Described`` in ``models.py``); no regex is shown.
"""

from __future__ import annotations

import datetime
import difflib
import re
import types
import typing
from collections.abc import Iterator
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ecs_toolkit.config.models import Described, EnvironmentConfig, FromCfnConfig

Location = tuple[str | int, ...]
Finding = tuple[Location, str]

MISSING: Any = object()
"""``child()`` found nothing."""


def child(node: Any, part: str | int) -> Any:
    """The YAML node at ``part`` below ``node``, or ``MISSING``."""
    if isinstance(node, CommentedMap):
        try:
            if part in node:
                return node[part]
        except TypeError:  # an unhashable part cannot be a key
            return MISSING
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return MISSING


_UNION_TAG = re.compile(r"^(constrained-)?(int|str|bool|float)$|\[|^[A-Z][A-Za-z]*Config$")
"""Pydantic names the union member in error locations (`constrained-int`, `list[str]`, `VolumeConfig`), and a
dict key as `[key]`; manifest names are lower-case, so these never clash with a key."""
_TYPE_ERRORS = ("_type", "_parsing")
"""Error types that only say "not this kind of value": in a union, the other member's error says more."""


def pydantic_problems(
    error: ValidationError, document: CommentedMap, root: type[BaseModel] = EnvironmentConfig
) -> Iterator[Finding]:
    """One finding per problem, at the manifest location it concerns, in plain words."""
    by_union: dict[Location, list[tuple[Location, ErrorDetails]]] = {}
    for item in error.errors(include_url=False):
        location = tuple(item["loc"])
        tag_index = _tag_index(document, location)
        if tag_index is None:
            yield location, _message(root, location, item)
            continue
        stripped = location[:tag_index] + location[tag_index + 1 :]
        if location[tag_index] == "[key]":
            yield stripped, _message(root, location, item)
            continue
        by_union.setdefault(location[:tag_index], []).append((location, item))
    for union_location, members in by_union.items():
        specific = [(loc, item) for loc, item in members if not item["type"].endswith(_TYPE_ERRORS)]
        if specific:
            for loc, item in specific:
                yield _strip_tags(document, loc), _message(root, loc, item)
        elif _is_exportable_text(_annotation_at(root, union_location)) and any(
            _read_as_other_than_text(item) for _, item in members
        ):
            # An environment value YAML read as a number, date or boolean: quoting it is the fix, as for plain text.
            yield union_location, f'must be a string: quote it: "{show(members[0][1]["input"])}"'
        else:
            annotation = _annotation_at(root, union_location)
            yield union_location, f"must be {_expected(annotation)} (got {show(members[0][1]['input'])})"


def _is_exportable_text(annotation: Any) -> bool:
    """``str | FromCfnConfig``: an environment value or secret, text or a CloudFormation export."""
    return FromCfnConfig in _members(annotation) and str in [_base(member) for member in _members(annotation)]


def _read_as_other_than_text(item: ErrorDetails) -> bool:
    return item["type"] == "string_type" and isinstance(item["input"], bool | int | float | datetime.date)


def _tag_index(document: CommentedMap, location: Location) -> int | None:
    """Where pydantic put a union member's name (or ``[key]``) into ``location``: a tag-shaped part that is not a key."""
    node: Any = document
    for index, part in enumerate(location):
        below = child(node, part)
        if below is MISSING and isinstance(part, str) and _UNION_TAG.search(part):
            return index
        node = below
    return None


def _strip_tags(document: CommentedMap, location: Location) -> Location:
    while (index := _tag_index(document, location)) is not None:
        location = location[:index] + location[index + 1 :]
    return location


def _message(root: type[BaseModel], location: Location, item: ErrorDetails) -> str:
    kind = item["type"]
    value = item["input"]
    if kind == "extra_forbidden":
        return _unknown_field(root, location)
    if kind == "missing":
        return "is required"
    if kind == "invalid_key":
        return f"the key {show(location[-1])} must be a name (text), not a number or other value"
    annotation = _annotation_at(root, location)
    if kind == "string_type" and isinstance(value, bool | int | float | datetime.date) and _fits_as_text(annotation, value):
        return f'must be a string: quote it: "{show(value)}"'
    return f"must be {_expected(annotation)} (got {show(value)})"


def _fits_as_text(annotation: Any, value: Any) -> bool:
    """Whether quoting ``value`` would make it valid: YAML read it as a number, date or boolean, text was meant."""
    text = show(value)
    for member in _members(annotation):
        if _base(member) is str:
            pattern = _constraints(member).get("pattern")
            if pattern is None or re.search(pattern, text) is not None:
                return True
    return False


def _unknown_field(root: type[BaseModel], location: Location) -> str:
    parent = _model_at(root, location[:-1])
    name = str(location[-1])
    if parent is not None:
        close = difflib.get_close_matches(name, list(parent.model_fields), n=1, cutoff=0.7)
        if close:
            return f"unknown field: did you mean '{close[0]}'?"
    return "unknown field"


# --- the declared type at a location -------------------------------------------------------------


def _annotation_at(root: type[BaseModel], location: Location) -> Any:
    """The declared type (with its constraints, as ``Annotated``) of the value at ``location``, or ``None``."""
    annotation: Any = root
    parts = list(location)
    while parts:
        annotation = _step(annotation, parts)
        if annotation is None:
            return None
    return annotation


def _model_at(root: type[BaseModel], location: Location) -> type[BaseModel] | None:
    annotation = _annotation_at(root, location)
    for member in _members(annotation):
        base = _base(member)
        if isinstance(base, type) and issubclass(base, BaseModel):
            return base
    return None


def _step(annotation: Any, parts: list[str | int]) -> Any:
    """Descend one part of a location (consuming it from ``parts``)."""
    part = parts[0]
    members = _members(annotation)
    annotation = members[0]
    if len(members) > 1:
        tagged = [member for member in members if isinstance(part, str) and _is_tag_of(part, member)]
        if tagged:
            parts.pop(0)
            return tagged[0]
        for member in members:
            if _can_descend(member, part):
                return member
        return None
    base = _base(annotation)
    origin = get_origin(base)
    if isinstance(base, type) and issubclass(base, BaseModel):
        parts.pop(0)
        field = base.model_fields.get(str(part))
        if field is None:
            return None
        return Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    if origin is list and isinstance(part, int):
        parts.pop(0)
        return get_args(base)[0]
    if origin is dict:
        parts.pop(0)
        key, value = get_args(base)
        if parts and parts[0] == "[key]":
            parts.pop(0)
            return key
        return value
    return None


def _can_descend(member: Any, part: str | int) -> bool:
    base = _base(member)
    if isinstance(base, type) and issubclass(base, BaseModel):
        return str(part) in base.model_fields
    origin = get_origin(base)
    return origin is dict or (origin is list and isinstance(part, int))


def _is_tag_of(tag: str, member: Any) -> bool:
    base = _base(member)
    if isinstance(base, type) and issubclass(base, BaseModel):
        return tag == base.__name__
    name = getattr(get_origin(base) or base, "__name__", "")
    return bool(name) and (tag == name or tag == f"constrained-{name}" or tag.startswith(f"{name}["))


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a union (``None`` left out); a single type otherwise."""
    if get_origin(annotation) in (typing.Union, types.UnionType):
        return [member for member in get_args(annotation) if member is not type(None)]
    return [annotation]


def _base(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _constraints(annotation: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    while get_origin(annotation) is Annotated:
        annotation, *metadata = get_args(annotation)
        for item in metadata:
            if isinstance(item, Described):
                found["words"] = item.words
            for name in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
                value = getattr(item, name, None)
                if value is not None:
                    found.setdefault(name, value)
            for nested in getattr(item, "metadata", None) or []:  # Field(...) inside Annotated
                for name in ("ge", "gt", "le", "lt", "min_length", "max_length"):
                    value = getattr(nested, name, None)
                    if value is not None:
                        found.setdefault(name, value)
    return found


def _expected(annotation: Any) -> str:
    """What the type accepts, in words that complete "must be ..."."""
    if annotation is None:
        return "a different value"
    members = _members(annotation)
    if len(members) > 1:
        phrases = list(dict.fromkeys(_expected(member) for member in members))
        return (", or " if any(" or " in phrase for phrase in phrases) else " or ").join(phrases)
    annotation = members[0]
    found = _constraints(annotation)
    base = _base(annotation)
    origin = get_origin(base)
    if base is bool:
        return "true or false"
    if base is int:
        low, high = found.get("ge"), found.get("le")
        if low is not None and high is not None and high - low == 1:
            return f"{low} or {high}"
        return "a whole number" + _range(found)
    if base is float:
        return "a number" + _range(found)
    if base is str:
        if "words" in found:
            words = str(found["words"])
            return words + (f", at most {found['max_length']} characters" if "max_length" in found else "")
        return _text_length(found)
    if origin is Literal:
        choices = [show(choice) if not isinstance(choice, str) else choice for choice in get_args(base)]
        return "one of: " + ", ".join(choices)
    if origin is list:
        least = found.get("min_length")
        items = "strings" if _base(get_args(base)[0]) is str else "items"
        return f"a list of at least {least} {items}" if least else f"a list of {items}"
    if origin is dict or (isinstance(base, type) and issubclass(base, BaseModel)):
        return "a mapping"
    return "a different value"


def _range(found: dict[str, Any]) -> str:
    low = found.get("ge")
    high = found.get("le")
    if "gt" in found:
        above = f" greater than {found['gt']}"
        return above + (f" and at most {high}" if high is not None else "")
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f", {low} or more"
    if high is not None:
        return f", at most {high}"
    return ""


def _text_length(found: dict[str, Any]) -> str:
    low, high = found.get("min_length"), found.get("max_length")
    if low and high:
        return f"a string of {low} to {high} characters"
    if low:
        return "a non-empty string" if low == 1 else f"a string of at least {low} characters"
    if high:
        return f"a string of at most {high} characters"
    return "a string"


def show(value: Any, limit: int = 60) -> str:
    """A value as it would be written in YAML, shortened: ``true``, ``null``, ``'text'``, ``[1, 2]``, ``{a: 1}``."""
    text = _yaml_flow(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _yaml_flow(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) and not isinstance(value, int) else str(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(
                f"{key if isinstance(key, str) else _yaml_flow(key)}: {_yaml_flow(item)}"
                for key, item in list(value.items())[:20]
            )
            + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_flow(item) for item in list(value)[:20]) + "]"
    return str(value)
