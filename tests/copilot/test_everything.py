"""The field-coverage fixture (every Copilot field the importer knows, written as Copilot accepts it), imported for
its environment ``full``: the written manifest validates, synthesizes and passes verify, and the command says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecs_toolkit.assembly import load_assembly
from ecs_toolkit.config import load_manifest
from ecs_toolkit.helpers.cli import main
from ecs_toolkit.verify import verify
from tests.conftest import synthesize

FIXTURE = Path(__file__).parent / "fixtures" / "everything"


def test_the_imported_fixture_validates_synthesizes_and_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "everything"
    shutil.copytree(FIXTURE, root)
    output = root / "full.yaml"
    assert main(["import-copilot", str(root), "--env", "full", "-o", str(output)]) == 0
    assert capsys.readouterr().err == ""
    config = load_manifest(output)
    assert sorted(config.services) == ["api", "job", "web", "worker"]
    # What the importer fixed on the way: a TLS listener with the environment's certificate, a FIFO worker.
    web, worker = config.services["web"], config.services["worker"]
    assert web.nlb is not None and config.load_balancer is not None
    assert (web.nlb.protocol, web.nlb.certificate_arn) == ("tls", config.load_balancer.certificate_arn)
    assert worker.subscribe is not None and [t.topic for t in worker.subscribe.topics] == ["ordered"]
    assert config.network.flow_logs
    synthesized = synthesize(output)
    findings = verify(load_assembly(Path(synthesized.assembly.directory)), config)
    assert [finding.line() for finding in findings if finding.failed] == []
