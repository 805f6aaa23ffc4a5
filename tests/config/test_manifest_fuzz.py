"""Fuzz the loader with mutants of the shipped manifests: every mutant validates or is rejected in plain lines.

Mutations (fixed seed, so a failure reproduces): a value replaced by another type or an extreme
number, a key deleted, renamed or added, a list item deleted or duplicated, a service renamed,
and text-level damage (a line duplicated, deleted, indented or cut). Validation only, no synth.
Tree mutants are written as indented JSON, which is YAML too, because dumping YAML would cost more
than validating it; the text damage is done to the shipped YAML itself.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from ecs_toolkit.config import ManifestError, load_manifest_with_warnings
from ecs_toolkit.config.overlays import environment_manifests

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([ROOT / "config" / "default.yaml", *environment_manifests(list((ROOT / "config" / "examples").glob("*.yaml")))])
MUTANTS_PER_MANIFEST = 60
SEED = 20261127

VALUES: list[Any] = [
    True,
    False,
    None,
    0,
    -1,
    1,
    7,
    2**31,
    10**12,
    1.5,
    -0.5,
    "",
    "text",
    "UPPER_Case",
    "x" * 300,
    "2024-01-01",
    [],
    ["x"],
    [1, 2],
    {},
    {"k": "v"},
    "arn:aws:iam::123456789012:role/x",
    "/path",
    "*",
]
LIBRARY_WORDS = re.compile(
    r"Input should|validation error|pydantic|String should|expected format|\^\[|\]\$|Traceback|codec|a different value"
)
"""Library wording, raw patterns, and the words a message falls back to when the field's type is not found."""
LINE = re.compile(r"^\d+: \S")

Path_ = tuple[str | int, ...]


def _paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every path to a value in the tree (mapping keys and list indexes)."""
    found: list[Path_] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*prefix, index))
            found.extend(_paths(value, (*prefix, index)))
    return found


def _parent(tree: Any, path: Path_) -> Any:
    for part in path[:-1]:
        tree = tree[part]
    return tree


def _replace_value(rng: random.Random, tree: Any, path: Path_) -> None:
    _parent(tree, path)[path[-1]] = copy.deepcopy(rng.choice(VALUES))


def _scale_number(rng: random.Random, tree: Any, path: Path_) -> None:
    parent = _parent(tree, path)
    value = parent[path[-1]]
    if isinstance(value, int) and not isinstance(value, bool):
        parent[path[-1]] = rng.choice([0, -value, value * 1000, value + 1, value - 1])
    else:
        _replace_value(rng, tree, path)


def _delete(rng: random.Random, tree: Any, path: Path_) -> None:
    del _parent(tree, path)[path[-1]]


def _rename_key(rng: random.Random, tree: Any, path: Path_) -> None:
    parent = _parent(tree, path)
    key = path[-1]
    if not isinstance(parent, dict) or not isinstance(key, str):
        _duplicate_item(rng, tree, path)
        return
    renamed = rng.choice([key.upper(), key + "s", key[:-1], key.replace("_", ""), f"{key}_{key}", "x" * 40, "Bad_Name"])
    items = list(parent.items())
    parent.clear()
    parent.update((renamed if name == key else name, value) for name, value in items)


def _add_unknown_key(rng: random.Random, tree: Any, path: Path_) -> None:
    parent = _parent(tree, path)
    target = parent[path[-1]] if isinstance(parent[path[-1]], dict) else parent
    if isinstance(target, dict):
        target["colour"] = rng.choice(VALUES[:12])
    else:
        target.append(copy.deepcopy(rng.choice(VALUES)))


def _duplicate_item(rng: random.Random, tree: Any, path: Path_) -> None:
    parent = _parent(tree, path)
    if isinstance(parent, list):
        parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
    else:
        _replace_value(rng, tree, path)


TREE_MUTATIONS: list[Callable[[random.Random, Any, Path_], None]] = [
    _replace_value,
    _replace_value,
    _scale_number,
    _delete,
    _rename_key,
    _add_unknown_key,
    _duplicate_item,
]


def _damage_text(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    choice = rng.randrange(5)
    if choice == 0:
        lines.insert(index, lines[index])  # duplicate a line: often a duplicate key
    elif choice == 1:
        del lines[index]
    elif choice == 2:
        lines[index] = "  " + lines[index]
    elif choice == 3:
        lines[index] = lines[index].replace(" ", "\t", 1)
    else:
        return text[: rng.randrange(len(text))]
    return "".join(lines)


def _mutant(rng: random.Random, text: str, original: dict[str, Any]) -> str:
    if rng.random() < 0.25:
        return _damage_text(rng, text)
    tree = copy.deepcopy(original)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        paths = _paths(tree)
        if not paths:
            break
        rng.choice(TREE_MUTATIONS)(rng, tree, rng.choice(paths))
    return json.dumps(tree, indent=2) + "\n"


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value) for value in node]
    return node


@pytest.mark.parametrize("source", SHIPPED, ids=lambda path: path.name)
def test_every_mutant_validates_or_is_rejected_in_plain_file_line_messages(source: Path, tmp_path: Path) -> None:
    text = source.read_text()
    original = _plain(YAML(typ="safe").load(text))
    assert isinstance(original, dict)
    rng = random.Random(f"{SEED}-{source.name}")
    outcomes = {"valid": 0, "rejected": 0}
    # An environment that extends a base gets its base beside it; problems may point at either file.
    bases = [tmp_path / base.name for base in source.parent.glob("*.base.yaml") if base.name in text]
    for base in bases:
        base.write_text((source.parent / base.name).read_text())
    for number in range(MUTANTS_PER_MANIFEST):
        mutant = _mutant(rng, text, original)
        path = tmp_path / f"{source.stem}-{number}.yaml"
        path.write_text(mutant)
        try:
            _, warnings = load_manifest_with_warnings(path)
        except ManifestError as error:
            outcomes["rejected"] += 1
            lines = error.lines
        else:
            outcomes["valid"] += 1
            lines = warnings
        for line in lines:
            owner = next((file for file in [path, *bases] if line.startswith(f"{file}:")), None)
            assert owner is not None, (line, mutant)
            rest = line.removeprefix(f"{owner}:")
            assert LINE.match(rest), (line, mutant)
            assert not LIBRARY_WORDS.search(rest), (line, mutant)
    print(f"fuzz {source.name}: {MUTANTS_PER_MANIFEST} mutants, {outcomes['valid']} valid, {outcomes['rejected']} rejected")
    assert outcomes["rejected"] > MUTANTS_PER_MANIFEST // 4  # the mutations really break things
