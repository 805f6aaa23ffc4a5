"""``python -m ecs_toolkit.plan``: exit codes, one-line errors, reuse of a cloud assembly (no synth here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.plan import cli, main, synth
from ecs_toolkit.plan.errors import PlanError
from tests.plan.tiny import NETWORK, PLATFORM, container, network_template, platform_template, service_template, task_definition

TINY = """\
name: tiny
services:
  api:
    kind: worker
    image: nginx
    cpu: 256
    memory_mib: 512
"""


def _assembly(directory: Path, templates: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    artifacts = {}
    for name, template in templates.items():
        (directory / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[name] = {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{name}.template.json"}}
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    return directory


@pytest.fixture
def no_synth(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the plan synthesized although the assembly held every stack")

    monkeypatch.setattr(cli, "synthesize", refuse)


def test_reuses_an_assembly_that_holds_the_environments_stacks(tmp_path: Path, no_synth: None, capsys: Any) -> None:
    manifest = tmp_path / "tiny.yaml"
    manifest.write_text(TINY)
    task = task_definition(container(), Cpu="256", Memory="512", NetworkMode="awsvpc")
    out = _assembly(
        tmp_path / "cdk.out",
        {NETWORK: network_template(), PLATFORM: platform_template({}), "tiny-api": service_template(task, desired=1)},
    )
    assert main(["--config", str(manifest), "--cdk-out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["templates"] == f"{out} (reused)"
    assert [service["name"] for service in data["services"]] == ["api"]
    assert data["cost"]["minimum"] > 0


def test_a_bad_manifest_exits_1_with_the_loaders_lines_and_no_traceback(tmp_path: Path, capsys: Any) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text("name: tiny\nservices:\n  api: {kind: web, image: nginx, cpu: -1}\n")
    assert main(["--config", str(manifest)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{manifest}:3: services.api.cpu: ")
    assert "Traceback" not in err


def test_a_failed_synth_exits_1_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    manifest = tmp_path / "tiny.yaml"
    manifest.write_text(TINY)

    def fail(*_: object, **__: object) -> None:
        raise PlanError("synth of tiny.yaml failed (exit 1): ValidationFailed: AwsSolutions-IAM5")

    monkeypatch.setattr(cli, "synthesize", fail)
    assert main(["--config", str(manifest)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "error: synth of tiny.yaml failed (exit 1): ValidationFailed: AwsSolutions-IAM5"
    assert not any("Traceback" in line for line in err)


def test_unreadable_templates_exit_1_with_one_line(tmp_path: Path, no_synth: None, capsys: Any) -> None:
    manifest = tmp_path / "tiny.yaml"
    manifest.write_text(TINY)
    broken = service_template(task_definition(container()))
    broken["Resources"]["Service"]["Properties"]["TaskDefinition"] = {"Ref": "Elsewhere"}
    out = _assembly(tmp_path / "cdk.out", {NETWORK: network_template(), PLATFORM: platform_template({}), "tiny-api": broken})
    assert main(["--config", str(manifest), "--cdk-out", str(out)]) == 1
    assert capsys.readouterr().err == "error: tiny-api: service Service has no task definition in its stack\n"


def test_the_cli_must_be_installed(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="run `npm install`"):
        synth.cdk_command(tmp_path)


def test_the_failure_line_is_the_one_that_names_the_error() -> None:
    output = "Bundling...\nError: ValidationFailed: 2 findings\n    at Object.<anonymous>\ndone\n"
    assert synth.failure_line(output) == "Error: ValidationFailed: 2 findings"
    assert synth.failure_line("") == "no output"


def test_runs_as_the_ecs_toolkit_plan_subcommand_without_aws(tmp_path: Path, no_synth: None, capsys: Any) -> None:
    from ecs_toolkit.helpers.cli import main as ecs_toolkit

    manifest = tmp_path / "tiny.yaml"
    manifest.write_text(TINY)
    task = task_definition(container(), Cpu="256", Memory="512", NetworkMode="awsvpc")
    out = _assembly(
        tmp_path / "cdk.out",
        {NETWORK: network_template(), PLATFORM: platform_template({}), "tiny-api": service_template(task, desired=1)},
    )

    def no_clients(**_: object) -> object:
        raise AssertionError("plan must not create AWS clients")

    assert ecs_toolkit(["plan", "--config", str(manifest), "--cdk-out", str(out), "--json"], make_clients=no_clients) == 0
    assert [service["name"] for service in json.loads(capsys.readouterr().out)["services"]] == ["api"]
