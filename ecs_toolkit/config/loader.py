"""Read a manifest and report every problem as ``file:line: field.path: message``.

Reading is bounded, because a manifest may come from anyone's pull request:

- at most ``MAX_BYTES`` are read (manifests are small: the demo is 4 KiB);
- the text must be UTF-8 (a UTF-8 byte-order mark is accepted); anything else is named with its line;
- YAML nesting stops at ``MAX_DEPTH`` levels (the deepest manifest field sits at 8);
- aliases (``*name``) are accepted only as the value of a merge key (``<<: *name`` or
  ``<<: [*a, *b]``), and merges may expand the document to at most ``MAX_VALUES`` values;
- custom tags (``!Ref``) are refused: a manifest is plain YAML;
- a chain of bases (``extends``) is at most ``overlays.MAX_CHAIN`` files long, without cycles.

Every failure of the parser, whatever it is, becomes one line. An environment that extends a base is
merged over it and its ``${NAME}`` values are replaced before validation (``overlays``); each problem
is reported at the file and line its value was written at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from ecs_toolkit.config import deprecations, overlays
from ecs_toolkit.config.messages import pydantic_problems
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.config.origins import Origin, Origins, locate
from ecs_toolkit.config.overlays import Interpolated
from ecs_toolkit.config.rules import Finding, Location, check_rules
from ecs_toolkit.config.rules.warnings import check_warnings

MAX_BYTES = 256 * 1024
"""Largest manifest read: 64 times the demo; a 40-service environment is about 25 KiB."""
MAX_DEPTH = 32
"""Deepest YAML nesting accepted (the deepest manifest field is 8 levels down)."""
MAX_VALUES = 100_000
"""Most values (scalars, lists and mappings) a manifest may have once its merge keys are expanded."""
MERGE_TAG = "tag:yaml.org,2002:merge"
CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "merge", "timestamp")
)
"""Tags a manifest may use, written (``!!str 8080``) or resolved from plain values; not ``!!binary``, ``!!set``, ``!Ref``."""


class ManifestError(Exception):
    """All problems of one manifest; ``str()`` gives one line per problem."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def load_manifest(path: str | Path) -> EnvironmentConfig:
    """Parse, validate and cross-check a manifest, or raise ``ManifestError`` with every problem."""
    config, _ = load_manifest_with_warnings(path)
    return config


def load_manifest_with_warnings(
    path: str | Path, environ: Mapping[str, str] | None = None
) -> tuple[EnvironmentConfig, list[str]]:
    """Like ``load_manifest``, plus the manifest's warnings as ``file:line: field.path: warning: message`` lines.

    Warnings never fail a manifest; they are computed only for one without errors. ``${NAME}`` values are
    read from ``environ`` (the process environment by default).
    """
    manifest = compose(Path(path), environ)
    plain = _plain(manifest.document)
    deprecated, conflicts = deprecations.upgrade(plain)
    if conflicts:
        raise ManifestError(manifest.format(conflicts))
    try:
        config = EnvironmentConfig.model_validate(plain)
    except ValidationError as error:
        raise ManifestError(manifest.format(pydantic_problems(error, manifest.document))) from None
    config = config.with_origins(manifest.origins)
    findings = list(check_rules(config))
    if findings:
        raise ManifestError(manifest.format(findings))
    return config, manifest.format([*deprecated, *check_warnings(config)], prefix="warning: ")


@dataclass
class Composed:
    """An environment manifest with its bases merged in and its ``${NAME}`` values replaced."""

    path: Path
    """The environment's own file."""
    document: CommentedMap
    origins: Origins
    """Where each value was written: the environment's file or one of its bases."""
    interpolated: dict[Location, Interpolated] = field(default_factory=dict)

    def locate(self, location: Location) -> Origin:
        """The file and line of the deepest part of ``location`` that exists."""
        return locate(self.origins, location)

    def format(self, findings: Iterable[Finding], prefix: str = "") -> list[str]:
        """One line per finding, ``file:line: field.path: message``, in file order, duplicates dropped."""
        located = set()
        for location, message in findings:
            origin = self.locate(location)
            dotted = ".".join(str(part) for part in location) or "(manifest)"
            changed = self.interpolated.get(location)
            if changed is not None and not prefix:
                message = f"{message} ({changed.note()})"
            # The environment's own file first, then its bases, each in line order.
            rank = 0 if origin.file == self.path else 1
            located.add((rank, str(origin.file), origin.line, dotted, message))
        return [f"{file}:{line}: {dotted}: {prefix}{message}" for _, file, line, dotted, message in sorted(located)]


def compose(path: Path, environ: Mapping[str, str] | None = None) -> Composed:
    """Read ``path`` and its chain of bases, merge them, replace ``${NAME}``; or raise ``ManifestError``."""
    if overlays.is_base(path):
        raise ManifestError(
            [
                f"{path}: this is a base manifest (its name ends in {overlays.BASE_SUFFIX}): it holds settings that "
                f"environments share; use an environment that extends it"
            ]
        )
    manifest = _read_chain(path, [])
    manifest.document, problems, manifest.interpolated = overlays.interpolate(
        manifest.document, os.environ if environ is None else environ
    )
    if problems:
        raise ManifestError(manifest.format(problems))
    return manifest


def _read_chain(path: Path, chain: list[Path], document: CommentedMap | None = None) -> Composed:
    """``path`` merged over its bases; ``chain`` holds the files that extend it, the environment first."""
    document = read_document(path) if document is None else document
    origins = overlays.origins_of(document, path)
    if overlays.EXTENDS not in document:
        return Composed(path, document, origins)
    target = document.pop(overlays.EXTENDS)
    where = f"{path}:{origins[(overlays.EXTENDS,)].line}: {overlays.EXTENDS}"
    if not isinstance(target, str) or not target.strip():
        shown = "nothing" if target is None else repr(target)
        raise ManifestError([f"{where}: must be the path of the base manifest, relative to this file (got {shown})"])
    base = Path(os.path.normpath(path.parent / target))
    seen = [*chain, path]
    if any(_same_file(base, earlier) for earlier in seen):
        cycle = " -> ".join(str(file) for file in [*seen, base])
        raise ManifestError([f"{where}: the bases form a cycle: {cycle}"])
    if len(seen) >= overlays.MAX_CHAIN:
        raise ManifestError([f"{where}: a chain of bases is at most {overlays.MAX_CHAIN} files long"])
    try:
        absent = None if base.is_file() else "is a directory, not a manifest file" if base.is_dir() else "does not exist"
    except (OSError, ValueError) as error:
        absent = f"cannot be read ({getattr(error, 'strerror', None) or error})"
    if absent is not None:
        raise ManifestError([f"{where}: the base manifest {base} {absent} (the path is relative to {path})"])
    base_document = read_yaml(base)
    if not isinstance(base_document, CommentedMap):
        raise ManifestError([f"{where}: the base manifest {base} is not a mapping of settings"])
    parent = _read_chain(base, seen, base_document)
    merged, merged_origins = overlays.merge(parent.document, parent.origins, document, origins)
    return Composed(path, merged, merged_origins)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except (OSError, ValueError):
        return one == other


def read_document(path: Path) -> CommentedMap:
    """One file's YAML as a round-trip mapping (with line numbers), or ``ManifestError``."""
    document = read_yaml(path)
    if not isinstance(document, CommentedMap):
        raise ManifestError([f"{path}:1: the manifest must be a mapping of settings"])
    return document


def read_yaml(path: Path) -> Any:
    """One file's YAML (round-trip nodes, with line numbers), or ``ManifestError``."""
    return _parse_yaml(path, _decode(path, _read_bytes(path)))


def origin_of(path: str | Path, location: Location, environ: Mapping[str, str] | None = None) -> Origin | None:
    """The file and line of ``location`` in the environment at ``path``, or ``None`` if it no longer reads."""
    try:
        return compose(Path(path), environ).locate(location)
    except ManifestError:
        return None


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ManifestError([f"{path}: file not found"]) from None
    except IsADirectoryError:
        raise ManifestError([f"{path}: is a directory, not a manifest file"]) from None
    except OSError as error:
        raise ManifestError([f"{path}: cannot read: {error.strerror or error}"]) from None
    if len(data) > MAX_BYTES:
        try:
            size_bytes = path.stat().st_size
            size = f"{size_bytes / 1024 / 1024:.1f} MiB" if size_bytes >= 1024 * 1024 else f"{size_bytes // 1024} KiB"
        except OSError:
            size = "too large"
        raise ManifestError(
            [f"{path}: the file is {size}; a manifest may be at most {MAX_BYTES // 1024} KiB (is this the right file?)"]
        )
    return data


def _decode(path: Path, data: bytes) -> str:
    wide = _wide_encoding(data)
    if wide is not None:
        raise ManifestError([f"{path}:1: this file is {wide}: save it as UTF-8"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ManifestError(
            [
                f"{path}:{line}: line {line} is not UTF-8 (byte 0x{data[error.start]:02x} at column {column}, "
                "perhaps Latin-1 or Windows-1252): save the file as UTF-8"
            ]
        ) from None


def _wide_encoding(data: bytes) -> str | None:
    """``UTF-16``/``UTF-32`` when the file starts with their byte-order mark or has their pattern of zero bytes."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = data[:256]
    if len(sample) >= 4 and sample.count(0) * 4 >= len(sample) * 3:
        return "UTF-32"
    if len(sample) >= 2 and (sample[0::2].count(0) * 2 >= len(sample) // 2 or sample[1::2].count(0) * 2 >= len(sample) // 2):
        return "UTF-16"
    return None


class _BoundedComposer(Composer):
    """ruamel's composer with the loader's limits: aliases only in merge keys, a bounded expansion, plain tags."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self._merge_values: list[bool] = []
        self._sizes: dict[int, int] = {}
        """Each finished node's size with every merge expanded (keys, values and the node itself)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        is_merge_value = isinstance(index, ScalarNode) and index.tag == MERGE_TAG
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            in_merge_list = isinstance(parent, SequenceNode) and bool(self._merge_values) and self._merge_values[-1]
            if not (is_merge_value or in_merge_list):
                raise ComposerError(
                    None,
                    None,
                    f"the alias *{event.anchor} is allowed only in a merge key (<<: *{event.anchor}): write the value out",
                    event.start_mark,
                )
            target = self.anchors.get(event.anchor)
            if target is not None and id(target) not in self._sizes:
                raise ComposerError(
                    None, None, f"the alias *{event.anchor} refers to a mapping that contains it", event.start_mark
                )
            return super().compose_node(parent, index)
        self._merge_values.append(is_merge_value)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._merge_values.pop()
        tag = str(node.tag)
        if tag not in CORE_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise ComposerError(None, None, f"the tag {shown} is not supported: a manifest is plain YAML", node.start_mark)
        size = 1 + sum(self._sizes.get(id(child), 0) for child in _children(node))
        if size > MAX_VALUES:
            raise ComposerError(
                None,
                None,
                f"merge keys expand this to more than {MAX_VALUES} values: a manifest is far smaller",
                node.start_mark,
            )
        self._sizes[id(node)] = size
        return node


def _children(node: Node) -> Iterable[Node]:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, SequenceNode):
        yield from node.value


def _parse_yaml(path: Path, text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.preserve_quotes = True  # overlays: a quoted ${NAME} stays text
    yaml.max_depth = MAX_DEPTH
    yaml.Composer = _BoundedComposer
    try:
        return yaml.load(text)
    except MaxDepthExceededError as error:
        line = error.problem_mark.line + 1 if error.problem_mark is not None else 1
        raise ManifestError(
            [f"{path}:{line}: yaml: nested more than {MAX_DEPTH} levels deep (a manifest needs at most 8)"]
        ) from None
    except DuplicateKeyError as error:
        line = error.problem_mark.line + 1 if error.problem_mark is not None else 1
        key = re.search(r'duplicate key "(.*)" with value', str(error.problem))
        named = f"the key {key[1]!r}" if key else "a key"
        raise ManifestError([f"{path}:{line}: yaml: {named} appears twice in the same mapping: keep one"]) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = " ".join(str(error.problem or error.context or "invalid YAML").split())
        raise ManifestError([f"{path}:{line}: yaml: {reason}"]) from None
    except ReaderError as error:
        line = text.count("\n", 0, max(error.position, 0)) + 1
        raise ManifestError([f"{path}:{line}: yaml: unacceptable character #x{error.character:04x}: {error.reason}"]) from None
    except YAMLError as error:
        raise ManifestError([f"{path}: yaml: {' '.join(str(error).split())}"]) from None
    except RecursionError:
        raise ManifestError([f"{path}: yaml: nested too deeply to read"]) from None
    except Exception as error:
        detail = " ".join(str(error).split())[:200]
        raise ManifestError([f"{path}: yaml: cannot parse the file ({type(error).__name__}: {detail})"]) from None


def _plain(node: Any) -> Any:
    """Round-trip containers to plain dicts and lists, so pydantic sees ordinary data."""
    if isinstance(node, CommentedMap):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(value) for value in node]
    if isinstance(node, TaggedScalar):  # only !!str reaches here: the composer refuses other tags
        return str(node.value)
    if isinstance(node, str):  # quoted scalars keep their quoting as a str subclass
        return str(node)
    return node
