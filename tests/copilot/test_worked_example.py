"""The worked example: examples/copilot imported for its environment ``test`` is config/examples/copilot-test.yaml,
and that manifest validates, synthesizes and passes verify like every shipped manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_toolkit.assembly import load_assembly
from ecs_toolkit.config import derived, load_manifest
from ecs_toolkit.copilot import import_workspace, render
from ecs_toolkit.verify import verify
from tests.conftest import synthesize

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = Path("config/examples/copilot-test.yaml")
COMMAND = "ecs-toolkit import-copilot examples/copilot --env test"


def test_reimporting_the_example_gives_the_committed_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    fresh = render(import_workspace(Path("examples/copilot"), "test", COMMITTED), command=COMMAND)
    assert fresh == COMMITTED.read_text(encoding="utf-8"), f"run: {COMMAND} -o {COMMITTED} --force"


def test_the_imported_example_validates_synthesizes_and_verifies() -> None:
    config = load_manifest(ROOT / COMMITTED)
    assert sorted(config.services) == ["api", "frontend", "nightly", "orders-worker"]
    synthesized = synthesize(ROOT / COMMITTED)
    findings = verify(load_assembly(Path(synthesized.assembly.directory)), config)
    assert [finding.line() for finding in findings if finding.failed] == []
    proven = {f.path.split(" (")[0] for f in findings if f.category == "connection" and f.status == "OPEN"}
    assert proven == {f"{caller} -> {callee}" for caller, callee in derived.declared_connections(config)}
    assert "orders-worker -> api" in proven
