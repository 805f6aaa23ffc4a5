"""Deprecated manifest fields: they keep working, with a one-line warning naming the replacement.

The compatibility promise: within a major version a manifest that loads keeps loading. A field that
is renamed or replaced is registered here (``DEPRECATIONS``); before validation the loader moves its
value to the replacement (converted if the meaning changed) and prints
``file:line: field.path: warning: deprecated since X: use Y instead (reason)``. The old name is
removed only in the next major version, and the CHANGELOG says so. Giving both the old and the new
field is an error (which one was meant?).

No field of this version is deprecated yet: the mechanism is exercised by the tests with their own
registrations (tests/config/test_manifest_deprecations.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ecs_toolkit.config.rules.common import Finding, Location

ANY = "*"
"""In ``Deprecation.where``: every key of a mapping, or every item of a list."""


@dataclass(frozen=True)
class Deprecation:
    """``old`` in every mapping at ``where`` is now ``new`` (same mapping), since version ``since``."""

    where: tuple[str, ...]
    """Keys from the top of the manifest to the mapping that holds the field; ``*`` matches any key or index."""
    old: str
    new: str
    since: str
    reason: str
    """Why, in plain words: shown in the warning."""
    convert: Callable[[Any], Any] | None = None
    """Turns the old value into the new one when more than the name changed (units, shape)."""


DEPRECATIONS: list[Deprecation] = []
"""Every deprecated field of this version, oldest first."""


def _mappings(node: Any, where: Sequence[str], location: Location) -> Iterator[tuple[dict[str, Any], Location]]:
    if not where:
        if isinstance(node, dict):
            yield node, location
        return
    head, rest = where[0], where[1:]
    if isinstance(node, dict):
        keys = list(node) if head == ANY else [head] if head in node else []
        for key in keys:
            yield from _mappings(node[key], rest, (*location, key))
    elif isinstance(node, list) and head == ANY:
        for index, item in enumerate(node):
            yield from _mappings(item, rest, (*location, index))


def upgrade(document: dict[str, Any], deprecations: Sequence[Deprecation] | None = None) -> tuple[list[Finding], list[Finding]]:
    """Move every deprecated field of a plain manifest (changed in place) to its replacement.

    Returns (warnings, errors): one warning per field moved, located at the old key; one error where both
    the old and the new field are given."""
    warnings: list[Finding] = []
    errors: list[Finding] = []
    for deprecation in DEPRECATIONS if deprecations is None else deprecations:
        for mapping, location in list(_mappings(document, deprecation.where, ())):
            if deprecation.old not in mapping:
                continue
            where = (*location, deprecation.old)
            if deprecation.new in mapping:
                errors.append((where, f"deprecated, and {deprecation.new} is also given: keep only {deprecation.new}"))
                continue
            value = mapping.pop(deprecation.old)
            mapping[deprecation.new] = deprecation.convert(value) if deprecation.convert else value
            warnings.append(
                (where, f"deprecated since {deprecation.since}: use {deprecation.new} instead ({deprecation.reason})")
            )
    return warnings, errors
