"""Manifest test harness: write YAML text to a temporary file, load it, read back the problem lines.

Manifests are built as text so every reported line number is known in advance. ``BASE`` is a
minimal valid environment (Fargate plus one EC2 group, a load balancer, no services); its nine
lines are followed by ``services:`` on line 10 and, for ``service()``, ``  api:`` on line 11, so the
first line of a service body is line 12.
"""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from ecs_toolkit.config import EnvironmentConfig, ManifestError, load_manifest

BASE = """\
name: test
load_balancer: {}
cluster:
  capacity:
    fargate: true
    ec2:
      - name: general
        instance_types: [m5.large]
        max: 4
"""


class Manifests:
    """Writes one test's manifest to its own file in a shared temporary directory and loads it."""

    base = BASE

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, text: str) -> Path:
        self.path.write_text(textwrap.dedent(text), encoding="utf-8")
        return self.path

    def load(self, text: str) -> EnvironmentConfig:
        return load_manifest(self.write(text))

    def problems(self, text: str) -> list[str]:
        """The error lines of a manifest that must fail, each without its ``<path>:`` prefix."""
        path = self.write(text)
        with pytest.raises(ManifestError) as raised:
            load_manifest(path)
        lines = raised.value.lines
        assert str(raised.value) == "\n".join(lines)
        prefix = f"{path}:"
        assert all(line.startswith(prefix) for line in lines), lines
        return [line.removeprefix(prefix) for line in lines]

    def services(self, text: str) -> str:
        """``BASE`` plus a ``services:`` section; the first line of ``text`` becomes line 11."""
        return BASE + "services:\n" + textwrap.indent(textwrap.dedent(text), "  ")

    def service(self, body: str) -> str:
        """``BASE`` plus one service ``api``; the first line of ``body`` becomes line 12."""
        return BASE + "services:\n  api:\n" + textwrap.indent(textwrap.dedent(body), "    ")


@pytest.fixture(scope="session")
def manifest_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory for every manifest: a directory per test costs more than the test itself."""
    return tmp_path_factory.mktemp("manifests")


_numbers = itertools.count()


@pytest.fixture
def manifest(manifest_directory: Path) -> Manifests:
    return Manifests(manifest_directory / f"env-{next(_numbers)}.yaml")
