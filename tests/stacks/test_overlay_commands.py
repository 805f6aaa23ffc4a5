"""The commands that take a manifest work on an environment that extends a base, and name the base's lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.helpers.cli import main as ecs_toolkit
from tests.conftest import ROOT, synthesize

MINIMAL = (ROOT / "config" / "examples" / "minimal.yaml").read_text()
PRODUCTION = ROOT / "config" / "examples" / "store-production.yaml"


def no_clients(**_: object) -> object:
    raise AssertionError("no AWS client may be created")


def test_synth_of_an_overlay_reports_what_cdk_refuses_at_the_base_line_and_warnings_at_the_overlay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dimensions = ", ".join(f"d{index}: v" for index in range(31))
    base = tmp_path / "sandbox.base.yaml"
    base.write_text(
        MINIMAL
        + "    scaling:\n"
        + "      max: 2\n"
        + f"      custom_metric: {{namespace: App, name: Depth, target: 5, dimensions: {{{dimensions}}}}}\n"
    )
    overlay = tmp_path / "sandbox-two.yaml"
    overlay.write_text("extends: sandbox.base.yaml\nname: sandbox-two\nfile_systems: {spare: {}}\n")
    scaling = len(MINIMAL.splitlines()) + 1

    code = ecs_toolkit(["synth", "--config", str(overlay), "--output", str(tmp_path / "out")], make_clients=no_clients)

    err = capsys.readouterr().err
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert f"{overlay}:3: file_systems.spare: warning: no service mounts it" in lines[0]
    assert (
        f"{base}:{scaling}: services.hello.scaling: CDK refused it: The maximum number of dimensions is 30, received 31 "
        "(at sandbox-two-hello/Scaling/Target/Resource)"
    ) in lines


@pytest.mark.parametrize("command", ["plan", "verify"])
def test_plan_and_verify_read_an_overlay_and_its_synthesized_templates(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = Path(synthesize(PRODUCTION).assembly.directory)
    arguments = [command, "--config", str(PRODUCTION), "--cdk-out", str(out)]

    code = ecs_toolkit([*arguments, "--json"] if command == "plan" else arguments, make_clients=no_clients)

    printed = capsys.readouterr().out
    assert code == 0, printed
    if command == "plan":
        plan: dict[str, Any] = json.loads(printed)
        assert sorted(service["name"] for service in plan["services"]) == ["orders", "web"]
    else:
        assert "verify passed: 8 OPEN" in printed


def test_a_helper_command_on_an_overlay_with_a_bad_base_names_the_base_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "bad.base.yaml"
    base.write_text(MINIMAL.replace("    port: 80\n", "    port: 70000\n"))
    overlay = tmp_path / "env.yaml"
    overlay.write_text("extends: bad.base.yaml\nname: env\n")
    port = MINIMAL.splitlines().index("    port: 80") + 1

    assert ecs_toolkit(["status", "--config", str(overlay)], make_clients=no_clients) == 2
    assert capsys.readouterr().err == (
        f"{base}:{port}: services.hello.port: must be a whole number from 1 to 65535 (got 70000)\n"
    )


def test_synth_stages_each_build_context_from_the_file_that_wrote_it(tmp_path: Path) -> None:
    """The base (in another directory) writes the main container's context, the environment the sidecar's: each
    directory has an ``app`` of its own, and each container's staged Dockerfile is the one beside the file that named it."""
    for where in ("shared", "envs"):
        (tmp_path / where / "app").mkdir(parents=True)
        (tmp_path / where / "app" / "Dockerfile").write_text(f"FROM scratch\nLABEL written-in={where}\n")
    (tmp_path / "shared" / "paths.base.yaml").write_text(
        "name: paths\ncluster:\n  capacity:\n    fargate: true\nservices:\n  worker:\n    kind: worker\n"
        "    cpu: 256\n    memory_mib: 512\n    image: {build: {context: app}}\n"
    )
    environment = tmp_path / "envs" / "paths.yaml"
    environment.write_text(
        "extends: ../shared/paths.base.yaml\nservices:\n  worker:\n    sidecars:\n"
        "      - {name: agent, essential: false, image: {build: {context: app}}}\n"
    )

    synthesized = synthesize(environment)

    out = Path(synthesized.assembly.directory)
    resources: dict[str, Any] = synthesized.template_json("paths-worker")["Resources"]  # type: ignore[assignment]
    (task_definition,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    assets = json.loads((out / "paths-worker.assets.json").read_text())["dockerImages"]
    staged = {}
    for container in task_definition["ContainerDefinitions"]:
        (asset,) = [key for key in assets if key in json.dumps(container["Image"])]
        staged[container["Name"]] = (out / assets[asset]["source"]["directory"] / "Dockerfile").read_text()
    assert staged == {
        "worker": "FROM scratch\nLABEL written-in=shared\n",
        "agent": "FROM scratch\nLABEL written-in=envs\n",
    }
