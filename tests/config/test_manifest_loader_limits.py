"""The loader's limits: hostile or broken files are refused quickly, in one line, with bounded memory.

Time and memory bounds are generous (memory is traced, which slows the run): they prove that nothing
hangs or explodes (before these limits, an alias bomb ran past 180 s and 4 GB, a 27 MB file took
7 minutes), not how fast the loader is; alone, each of these cases takes well under a second.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ecs_toolkit.config import ManifestError, load_manifest
from ecs_toolkit.config.loader import MAX_BYTES, MAX_DEPTH, MAX_VALUES


def bounded(action: Callable[[], object], *, seconds: float = 10.0, mib: float = 64.0) -> None:
    """Run ``action`` and fail if it takes longer than ``seconds`` or allocates more than ``mib`` at its peak."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        action()
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < mib * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MiB"


def refused(path: Path) -> list[str]:
    with pytest.raises(ManifestError) as raised:
        load_manifest(path)
    lines = raised.value.lines
    assert all("\n" not in line for line in lines)
    return lines


# --- size ----------------------------------------------------------------------------------------


def test_refuses_a_27_mib_file_in_well_under_a_second(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:
        file.write(b"name: test\nservices:\n")
        file.truncate(27 * 1024 * 1024)
    lines: list[str] = []

    bounded(lambda: lines.extend(refused(path)), seconds=0.9, mib=8)

    assert lines == [f"{path}: the file is 27.0 MiB; a manifest may be at most 256 KiB (is this the right file?)"]


def test_refuses_a_file_just_over_the_limit_naming_its_size_in_kib(manifest) -> None:
    manifest.write("name: test\n" + "#" * (300 * 1024) + "\n")

    assert refused(manifest.path) == [
        f"{manifest.path}: the file is 300 KiB; a manifest may be at most 256 KiB (is this the right file?)"
    ]


def test_reads_a_file_of_exactly_the_size_limit(manifest) -> None:
    text = "name: test\n"
    manifest.write(text + "#" * (MAX_BYTES - len(text) - 1) + "\n")

    assert manifest.path.stat().st_size == MAX_BYTES
    assert load_manifest(manifest.path).name == "test"


# --- encoding ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"], ids=["bom", "le-without-bom", "be-without-bom"])
def test_names_a_utf16_file(manifest, encoding: str) -> None:
    manifest.path.write_bytes("name: test\nephemeral: true\n".encode(encoding))

    assert refused(manifest.path) == [f"{manifest.path}:1: this file is UTF-16: save it as UTF-8"]


def test_names_a_utf32_file(manifest) -> None:
    manifest.path.write_bytes("name: test\n".encode("utf-32"))

    assert refused(manifest.path) == [f"{manifest.path}:1: this file is UTF-32: save it as UTF-8"]


def test_reports_the_line_and_column_of_a_byte_that_is_not_utf8(manifest) -> None:
    text = "name: test\n" + "# comment\n" * 5 + "tags: {owner: Jos\xe9}\n"
    manifest.path.write_bytes(text.encode("cp1252"))

    assert refused(manifest.path) == [
        f"{manifest.path}:7: line 7 is not UTF-8 (byte 0xe9 at column 18, perhaps Latin-1 or Windows-1252): "
        "save the file as UTF-8"
    ]


def test_accepts_a_utf8_byte_order_mark(manifest) -> None:
    manifest.path.write_bytes("\ufeffname: test\ntags: {owner: José}\n".encode())

    assert load_manifest(manifest.path).tags == {"owner": "José"}


# --- aliases and merge keys ------------------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ["name: test", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]" for level in range(1, levels + 1)]
    return "\n".join([*lines, f"tags: {{bomb: *a{levels}}}"]) + "\n"


def test_refuses_a_billion_laughs_alias_bomb_at_the_first_alias_quickly(manifest) -> None:
    manifest.write(billion_laughs())
    lines: list[str] = []

    bounded(lambda: lines.extend(refused(manifest.path)))

    assert lines == [f"{manifest.path}:3: yaml: the alias *a0 is allowed only in a merge key (<<: *a0): write the value out"]


def test_refuses_an_alias_used_as_a_plain_value(manifest) -> None:
    text = "name: test\ntags: &common {team: a}\nnetwork:\n  endpoints: [ecr]\nother: *common\n"

    assert manifest.problems(text) == [
        "5: yaml: the alias *common is allowed only in a merge key (<<: *common): write the value out"
    ]


def test_refuses_a_merge_bomb_past_the_expansion_budget(manifest) -> None:
    # Each level merges ten copies of the one before it: level 4 (line 6) passes 100,000 values.
    lines = ["name: test", "m0: &m0 {k0: [x, x, x, x, x, x, x, x, x, x]}"]
    for level in range(1, 7):
        keys = ", ".join(f"k{index}: {{<<: *m{level - 1}}}" for index in range(10))
        lines.append(f"m{level}: &m{level} {{{keys}}}")
    manifest.write("\n".join(lines) + "\n")
    found: list[str] = []

    bounded(lambda: found.extend(refused(manifest.path)))

    assert found == [
        f"{manifest.path}:6: yaml: merge keys expand this to more than {MAX_VALUES} values: a manifest is far smaller"
    ]


def test_refuses_an_alias_to_the_mapping_that_contains_it(manifest) -> None:
    text = "name: test\nservices:\n  api: &api\n    <<: *api\n"

    assert manifest.problems(text) == ["4: yaml: the alias *api refers to a mapping that contains it"]


def test_merges_a_list_of_anchored_mappings_into_a_service(manifest) -> None:
    text = manifest.services(
        """\
        one: &one {kind: worker, image: app, cpu: 256, memory_mib: 512}
        two: &two {kind: worker, image: other, cpu: 512, memory_mib: 1024, user: "1000"}
        three:
          <<: [*one, *two]
          memory_mib: 2048
        """
    )

    three = manifest.load(text).services["three"]

    # The first mapping in the list wins, then the next; keys written here win over both.
    assert (three.image, three.cpu, three.user, three.memory_mib) == ("app", 256, "1000", 2048)


# --- nesting, tags and anything else the parser raises ----------------------------------------


def test_refuses_20000_nested_lists_in_one_line(manifest) -> None:
    manifest.write("name: test\ntags: " + "[" * 20000 + "]" * 20000 + "\n")
    lines: list[str] = []

    bounded(lambda: lines.extend(refused(manifest.path)), seconds=20)  # ~1 s alone; tracing and a busy machine slow it

    assert lines == [f"{manifest.path}:2: yaml: nested more than {MAX_DEPTH} levels deep (a manifest needs at most 8)"]


def test_refuses_block_mappings_nested_past_the_depth_limit_at_the_line_that_crosses_it(manifest) -> None:
    text = "name: test\n" + "".join(f"{'  ' * level}k{level}:\n" for level in range(40))

    assert manifest.problems(text) == [f"33: yaml: nested more than {MAX_DEPTH} levels deep (a manifest needs at most 8)"]


def test_refuses_a_custom_tag(manifest) -> None:
    text = "name: test\ntags: {vpc: !Ref Vpc}\n"

    assert manifest.problems(text) == ["2: yaml: the tag !Ref is not supported: a manifest is plain YAML"]


@pytest.mark.parametrize(
    ("value", "tag"),
    [("!!binary aGVsbG8=", "!!binary"), ("!!set {a, b}", "!!set"), ("!!python/object:os.system x", "!!python/object:os.system")],
)
def test_refuses_yaml_tags_beyond_the_core_schema(manifest, value: str, tag: str) -> None:
    assert manifest.problems(f"name: test\ntags: {{a: {value}}}\n") == [
        f"2: yaml: the tag {tag} is not supported: a manifest is plain YAML"
    ]


def test_accepts_an_explicit_string_tag(manifest) -> None:
    assert manifest.load("name: test\ntags: {port: !!str 8080}\n").tags == {"port": "8080"}


def test_reports_whatever_else_the_parser_raises_in_one_line(manifest, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: YAML, text: str) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(YAML, "load", explode)
    manifest.write("name: test\n")

    assert refused(manifest.path) == [f"{manifest.path}: yaml: nested too deeply to read"]


def test_reports_an_unexpected_parser_exception_in_one_line(manifest, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: YAML, text: str) -> object:
        raise ValueError("something\nbroke")

    monkeypatch.setattr(YAML, "load", explode)
    manifest.write("name: test\n")

    assert refused(manifest.path) == [f"{manifest.path}: yaml: cannot parse the file (ValueError: something broke)"]
