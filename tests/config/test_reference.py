"""The manifest reference page of the docs (docs/reference/manifest.md) is generated from the models (`make docs`)."""

from __future__ import annotations

from ecs_toolkit.config.reference import PAGE, render


def test_the_manifest_reference_page_matches_the_models() -> None:
    assert PAGE.read_text() == render(), "docs/reference/manifest.md is stale: run `make docs`"
