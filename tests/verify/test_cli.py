"""``ecs-toolkit verify`` on a cloud assembly on disk: exit codes, text and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.verify import main
from tests.verify.templates import ENV, PLATFORM, SERVICE, platform, service

MANIFEST = f"""\
name: {ENV}
load_balancer: {{}}
services:
  app: {{kind: web, image: nginx, port: 8080, cpu: 256, memory_mib: 512, route: {{path: "/*"}}}}
"""


def _write_assembly(directory: Path, templates: dict[str, dict[str, Any]]) -> None:
    artifacts = {}
    for name, template in templates.items():
        (directory / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[name] = {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{name}.template.json"}}
    (directory / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "env.yaml"
    path.write_text(MANIFEST)
    return path


def test_passes_and_prints_the_counts(manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_assembly(tmp_path, {f"{ENV}-network": {"Resources": {}}, PLATFORM: platform(), SERVICE: service()})
    assert main(["--config", str(manifest), "--cdk-out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("verify passed: ")
    assert "CLOSED" not in out


def test_a_closed_path_exits_1_and_is_listed_in_json(manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = service()
    del broken["Resources"]["FromAlb"]
    _write_assembly(tmp_path, {f"{ENV}-network": {"Resources": {}}, PLATFORM: platform(), SERVICE: broken})
    assert main(["--config", str(manifest), "--cdk-out", str(tmp_path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    closed = [f for f in report["findings"] if f["status"] == "CLOSED"]
    assert {f["category"] for f in closed} == {"load balancer", "health check"}
