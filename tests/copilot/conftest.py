"""Copilot workspaces written into a temporary folder, imported for their environment ``test``."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ecs_toolkit.copilot import Imported, import_workspace

ENVIRONMENT = """
name: test
type: Environment
"""

MakeWorkspace = Callable[..., Path]


@pytest.fixture
def make_workspace(tmp_path: Path) -> MakeWorkspace:
    """``make_workspace({"api": "<manifest>"}, environment=..., files={...})`` -> the workspace root."""

    def make(
        services: dict[str, str], environment: str = ENVIRONMENT, files: dict[str, str] | None = None, app: str = "shop"
    ) -> Path:
        root = tmp_path / "app"
        copilot = root / "copilot"
        (copilot / "environments" / "test").mkdir(parents=True, exist_ok=True)
        (copilot / ".workspace").write_text(f"application: {app}\n")
        (copilot / "environments" / "test" / "manifest.yml").write_text(textwrap.dedent(environment))
        for name, text in services.items():
            (copilot / name).mkdir(exist_ok=True)
            (copilot / name / "manifest.yml").write_text(textwrap.dedent(text))
        for relative, text in (files or {}).items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(textwrap.dedent(text))
        return root

    return make


def run_import(root: Path, environment: str = "test") -> Imported:
    """Import with the manifest written to ``<root>/../deploy/test.yaml``."""
    return import_workspace(root, environment, root.parent / "deploy" / f"{environment}.yaml")


def messages(imported: Imported) -> list[str]:
    """Each report line without its file, as ``line: field: message``."""
    return [f"{note.line}: {note.field}: {note.message}" for note in imported.notes]
