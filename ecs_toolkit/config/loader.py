"""Read a manifest and report every problem as ``file:line: field.path: message``.

Reading is bounded, because a manifest may come from anyone's pull request:

- at most ``MAX_BYTES`` are read (manifests are small: the demo is 4 KiB);
- the text must be UTF-8 (a UTF-8 byte-order mark is accepted); anything else is named with its line;
- YAML nesting stops at ``MAX_DEPTH`` levels (the deepest manifest field sits at 8);
- aliases (``*name``) are accepted only as the value of a merge key (``<<: *name`` or
  ``<<: [*a, *b]``), and merges may expand the document to at most ``MAX_VALUES`` values;
- custom tags (``!Ref``) are refused: a manifest is plain YAML.

Every failure of the parser, whatever it is, becomes one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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

from ecs_toolkit.config import deprecations
from ecs_toolkit.config.messages import MISSING, child, pydantic_problems
from ecs_toolkit.config.models import EnvironmentConfig
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


def load_manifest_with_warnings(path: str | Path) -> tuple[EnvironmentConfig, list[str]]:
    """Like ``load_manifest``, plus the manifest's warnings as ``file:line: field.path: warning: message`` lines.

    Warnings never fail a manifest; they are computed only for one without errors.
    """
    path = Path(path)
    document = read_document(path)
    plain = _plain(document)
    deprecated, conflicts = deprecations.upgrade(plain)
    if conflicts:
        raise ManifestError(_format(path, document, conflicts))
    try:
        config = EnvironmentConfig.model_validate(plain)
    except ValidationError as error:
        raise ManifestError(_format(path, document, pydantic_problems(error, document))) from None
    config = config.with_source(path.absolute())
    findings = list(check_rules(config))
    if findings:
        raise ManifestError(_format(path, document, findings))
    return config, _format(path, document, [*deprecated, *check_warnings(config)], prefix="warning: ")


def read_document(path: Path) -> CommentedMap:
    """The manifest's YAML as a round-trip mapping (with line numbers), or ``ManifestError``."""
    text = _decode(path, _read_bytes(path))
    document = _parse_yaml(path, text)
    if not isinstance(document, CommentedMap):
        raise ManifestError([f"{path}:1: the manifest must be a mapping of settings"])
    return document


def line_of(path: str | Path, location: Location) -> int | None:
    """The line of ``location`` in the manifest at ``path``, or ``None`` if the file no longer reads."""
    try:
        return _line_of(read_document(Path(path)), location)
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
    return node


def _line_of(document: CommentedMap, location: Location) -> int:
    """The 1-based line of the deepest part of ``location`` that exists in the YAML document."""
    node: Any = document
    line = 1
    for part in location:
        below = child(node, part)
        if below is MISSING:
            break
        if isinstance(node, CommentedSeq):
            line = node.lc.item(part)[0] + 1
        else:
            # A key inherited through a YAML merge (<<: *anchor) has no position here: use the mapping's.
            line = node.lc.key(part)[0] + 1 if part in node.lc.data else node.lc.line + 1
        node = below
    return line


def _format(path: Path, document: CommentedMap, findings: Iterable[Finding], prefix: str = "") -> list[str]:
    """One line per finding, in file order, duplicates dropped."""
    located = set()
    for location, message in findings:
        dotted = ".".join(str(part) for part in location) or "(manifest)"
        located.add((_line_of(document, location), dotted, message))
    return [f"{path}:{line}: {dotted}: {prefix}{message}" for line, dotted, message in sorted(located)]
