"""Environments built on a shared base (``extends``) and ``${NAME}`` in string values.

An environment manifest may start with ``extends: FILE``: the base (a path relative to the file
that names it) is read first and the environment is merged over it. Mappings merge key by key
(services by name, nested blocks field by field); lists and scalars replace; ``key: null`` in a
mapping that is merged removes the key. A base may extend another base.

Every value keeps the file and line it was written at (``origins.Origin``), so a problem with a value
that came from the base is reported at the base's line, and one written in the environment at
the environment's line. A mapping that both files write (``services.api`` in each) belongs to the
file merged last: that is the file a reviewer edits to change it.

After merging, ``${NAME}`` in string values is replaced (keys are left as written): by the
built-ins ``${environment}`` (the merged ``name``) and ``${service}`` (the name of the
``services.<name>`` entry the value is in), else by the process environment. ``$${`` is a literal
``${``. A value that is exactly one ``${NAME}``, written without quotes, is read as YAML reads a
plain value (``8`` a number, ``true`` a boolean); anything else stays a string.

Nothing here reads files: the loader reads each file of the chain and calls these functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from ecs_toolkit.config.origins import Location, Origin, Origins
from ecs_toolkit.config.rules.common import Finding

EXTENDS = "extends"
"""The top-level key naming an environment's base manifest."""
BASE_SUFFIX = ".base.yaml"
"""A base manifest's file name ends so: the gates and the tests skip it alone and check the environments built on it."""
MAX_CHAIN = 8
"""Most bases in one chain (an environment, its base, the base's base...)."""
BUILT_INS = ("environment", "service")
"""Variables the toolkit supplies itself; they take precedence over the process environment."""

_REFERENCE = re.compile(r"\$\$\{|\$\{([^{}]*)\}|\$\{")
"""``$${`` (a literal ``${``), ``${NAME}``, or a ``${`` that is never closed."""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_base(path: Path) -> bool:
    """Whether ``path`` names a base manifest (``*.base.yaml``): not an environment of its own."""
    return path.name.endswith(BASE_SUFFIX)


def environment_manifests(paths: list[Path]) -> list[Path]:
    """``paths`` less the base manifests."""
    return [path for path in paths if not is_base(path)]


# --- where each value was written ------------------------------------------------------------------


def origins_of(document: CommentedMap, file: Path) -> Origins:
    """The file and line of every key and list item of one file's document (the line of its key, or its item)."""
    found: Origins = {(): Origin(file, 1)}
    _record(document, (), file, found, 1)
    return found


def _record(node: Any, location: Location, file: Path, found: Origins, parent_line: int) -> None:
    if isinstance(node, CommentedMap):
        positions = node.lc.data or {}
        own_line = node.lc.line + 1 if node.lc.line is not None else parent_line
        for key, value in node.items():
            # A key inherited through a YAML merge (<<: *anchor) has no position of its own: use the mapping's.
            line = positions[key][0] + 1 if key in positions else own_line
            found[(*location, key)] = Origin(file, line)
            _record(value, (*location, key), file, found, line)
    elif isinstance(node, CommentedSeq):
        positions = node.lc.data or {}
        for index, value in enumerate(node):
            line = positions[index][0] + 1 if index in positions else parent_line
            found[(*location, index)] = Origin(file, line)
            _record(value, (*location, index), file, found, line)


# --- merging ---------------------------------------------------------------------------------------


def merge(base: CommentedMap, base_origins: Origins, over: CommentedMap, over_origins: Origins) -> tuple[CommentedMap, Origins]:
    """``over`` merged over ``base``, and where each value of the result was written."""
    origins: Origins = {(): over_origins[()]}
    return _merge_maps(base, over, (), base_origins, over_origins, origins), origins


def _merge_maps(
    base: CommentedMap, over: CommentedMap, location: Location, base_origins: Origins, over_origins: Origins, out: Origins
) -> CommentedMap:
    result = CommentedMap()
    for key in [*base, *(key for key in over if key not in base)]:
        where = (*location, key)
        if key not in over:
            result[key] = base[key]
            _copy(base[key], where, base_origins, out)
        elif over[key] is None:
            continue  # null removes the key
        elif key in base and isinstance(base[key], CommentedMap) and isinstance(over[key], CommentedMap):
            out[where] = over_origins[where]
            result[key] = _merge_maps(base[key], over[key], where, base_origins, over_origins, out)
        else:
            result[key] = over[key]
            _copy(over[key], where, over_origins, out)
    return result


def _copy(node: Any, location: Location, source: Origins, out: Origins) -> None:
    """Take the origins of a value taken whole from one file (its location is the same in the result)."""
    out[location] = source[location]
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            _copy(value, (*location, key), source, out)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            _copy(value, (*location, index), source, out)


# --- ${NAME} ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interpolated:
    """A value that had ``${...}`` in it: as written, and what each variable became."""

    written: str
    values: tuple[tuple[str, str], ...]

    def note(self) -> str:
        """``written '${environment}-api'; ${environment} became 'shop'``, for a message about the value."""
        became = ", ".join(f"${{{name}}} became {value!r}" for name, value in self.values)
        return f"written {self.written!r}; {became}" if became else f"written {self.written!r}"


def interpolate(
    document: CommentedMap, environ: Mapping[str, str]
) -> tuple[CommentedMap, list[Finding], dict[Location, Interpolated]]:
    """A copy of ``document`` with ``${NAME}`` replaced in every string value.

    A copy, because one YAML node may sit at two places (a ``<<: *anchor`` merge into two services)
    where ``${service}`` differs. Returns it, the problems (an unset variable, a malformed
    reference), and every value that changed."""
    problems: list[Finding] = []
    changed: dict[Location, Interpolated] = {}
    built_ins: dict[str, str] = {}
    result = CommentedMap()
    name = document.get("name")
    if isinstance(name, str):
        # The name may use the process environment, but not the built-ins it defines.
        expanded = _expand(name, ("name",), {}, environ, problems, changed)
        if isinstance(expanded, str):
            built_ins["environment"] = expanded
    for key, node in document.items():
        if key == "name":
            result[key] = expanded if isinstance(name, str) else node
        elif key == "services" and isinstance(node, CommentedMap):
            services = CommentedMap()
            for service, body in node.items():
                inside = {**built_ins, "service": str(service)}
                services[service] = _walk(body, ("services", service), inside, environ, problems, changed)
            result[key] = services
        else:
            result[key] = _walk(node, (key,), built_ins, environ, problems, changed)
    return result, problems, changed


def _walk(
    node: Any,
    location: Location,
    built_ins: dict[str, str],
    environ: Mapping[str, str],
    problems: list[Finding],
    changed: dict[Location, Interpolated],
) -> Any:
    if isinstance(node, CommentedMap):
        mapping = CommentedMap()
        for key, value in node.items():
            mapping[key] = _walk(value, (*location, key), built_ins, environ, problems, changed)
        return mapping
    if isinstance(node, CommentedSeq):
        return CommentedSeq(
            _walk(value, (*location, index), built_ins, environ, problems, changed) for index, value in enumerate(node)
        )
    if isinstance(node, str):
        return _expand(node, location, built_ins, environ, problems, changed)
    return node


def _expand(
    text: str,
    location: Location,
    built_ins: dict[str, str],
    environ: Mapping[str, str],
    problems: list[Finding],
    changed: dict[Location, Interpolated],
) -> Any:
    if "${" not in text:
        return text
    values: dict[str, str] = {}
    failed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal failed
        token = match.group(0)
        if token == "$${":
            return "${"
        variable = match.group(1)
        if variable is None:
            problems.append((location, "'${' is not closed: write ${NAME}, or $${ for a literal ${"))
            failed = True
            return token
        variable = variable.strip()
        if not _NAME.match(variable):
            problems.append(
                (location, f"{token} is not a variable: a name is letters, digits and _ (write $${{ for a literal ${{)")
            )
            failed = True
            return token
        found = _lookup(variable, location, built_ins, environ)
        if isinstance(found, _Unset):
            problems.append((location, found.message))
            failed = True
            return token
        values[variable] = found
        return found

    result = _REFERENCE.sub(replace, text)
    if failed:
        return text
    changed[location] = Interpolated(str(text), tuple(values.items()))
    whole = _REFERENCE.fullmatch(text)
    if whole is not None and whole.group(1) is not None and not isinstance(text, ScalarString):
        return _plain_scalar(result)  # an unquoted ${NAME} alone reads as YAML reads a plain value
    return result


@dataclass(frozen=True)
class _Unset:
    message: str


def _lookup(variable: str, location: Location, built_ins: dict[str, str], environ: Mapping[str, str]) -> str | _Unset:
    if variable in built_ins:
        return built_ins[variable]
    if variable == "service":
        return _Unset("${service} is known only inside services.<name> (it is that name)")
    if variable == "environment":
        why = "in the name itself" if location == ("name",) else "here: the environment's name is not a string"
        return _Unset(f"${{environment}} (the environment's name) cannot be used {why}")
    if variable in environ:
        return environ[variable]
    return _Unset(
        f"the variable {variable} is not set in the environment: set it (export {variable}=...) before running the command"
    )


_SCALARS = YAML(typ="safe", pure=True)


def _plain_scalar(text: str) -> Any:
    """``text`` as YAML reads an unquoted value: a number, boolean or null where it is one, else the text."""
    if not text or text.strip() != text or "\n" in text:
        return text
    try:
        value = _SCALARS.load(text)
    except Exception:
        return text
    return value if value is None or isinstance(value, bool | int | float) else text
