"""The README's manifest reference is generated from the models (`make docs`)."""

from __future__ import annotations

from ecs_toolkit.config.reference import END, START, render
from tests.conftest import ROOT


def test_readme_reference_matches_the_models() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split(START, 1)[1].split(END, 1)[0]
    assert block == f"\n{render()}", "README manifest reference is stale: run `make docs`"
