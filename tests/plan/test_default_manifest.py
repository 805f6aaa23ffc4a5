"""The plan end to end on config/default.yaml, reading the templates of the shared synthesized app (no new synth)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.config import load_manifest
from ecs_toolkit.plan import cli, main, rollout
from tests.conftest import ROOT, synthesize

DEFAULT = ROOT / "config" / "default.yaml"


@pytest.fixture(scope="module")
def cdk_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthesized app's stack templates and a manifest.json naming them, as `cdk synth -o` writes them."""
    assembly = synthesize(DEFAULT).assembly
    out = tmp_path_factory.mktemp("cdk.out")
    artifacts = {}
    for stack in assembly.stacks:
        (out / f"{stack.stack_name}.template.json").write_text(json.dumps(stack.template))
        artifacts[stack.stack_name] = {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": f"{stack.stack_name}.template.json"},
        }
    (out / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    return out


@pytest.fixture(scope="module")
def plan(cdk_out: Path) -> dict[str, Any]:
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setattr(cli, "synthesize", lambda *_: pytest.fail("the plan synthesized instead of reusing the templates"))
        assert main(["--config", str(DEFAULT), "--cdk-out", str(cdk_out), "--json"]) == 0
    data: dict[str, Any] = json.loads(printed.getvalue())
    return data


def _resources(cdk_out: Path, stack: str, kind: str) -> list[dict[str, Any]]:
    template = json.loads((cdk_out / f"{stack}.template.json").read_text())
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]


def test_every_service_and_job_of_the_manifest_is_reported(plan: dict[str, Any]) -> None:
    names = {service["name"] for service in plan["services"]} | set(plan["jobs"])
    assert names == set(load_manifest(DEFAULT).services)
    assert plan["templates"].endswith("(reused)")


def test_the_replacement_time_comes_from_the_synthesized_values(plan: dict[str, Any], cdk_out: Path) -> None:
    for row in plan["services"]:
        (service,) = _resources(cdk_out, row["stack"], "AWS::ECS::Service")
        groups = _resources(cdk_out, row["stack"], "AWS::ElasticLoadBalancingV2::TargetGroup")
        (task,) = _resources(cdk_out, row["stack"], "AWS::ECS::TaskDefinition")
        replacement = row["rollout"]["replacement"]
        if groups:
            # Blue/green, canary and linear services add an alternate group with the same settings.
            group = groups[0]
            assert all(other == group for other in groups)
            delay = next(a["Value"] for a in group["TargetGroupAttributes"] if a["Key"] == "deregistration_delay.timeout_seconds")
            assert replacement["health"] == group["HealthCheckIntervalSeconds"] * group["HealthyThresholdCount"]
            assert replacement["deregistration"] == int(delay)
        assert replacement["grace_period"] == service.get("HealthCheckGracePeriodSeconds", 0)
        assert replacement["stop"] == max(c["StopTimeout"] for c in task["ContainerDefinitions"])
        assert replacement["image_pull"] == rollout.IMAGE_PULL_ALLOWANCE_SECONDS
        deployment = service.get("DeploymentConfiguration", {})
        if deployment.get("Strategy", "ROLLING") == "ROLLING":
            assert row["rollout"]["seconds"] == row["rollout"]["batches"] * replacement["total"]
        else:
            assert row["rollout"]["bake_seconds"] == deployment["BakeTimeInMinutes"] * 60
            total = replacement["total"] + row["rollout"]["shift_seconds"] + row["rollout"]["bake_seconds"]
            assert row["rollout"]["seconds"] == total


def test_the_demo_rollouts_include_each_strategys_waits_with_known_answers(plan: dict[str, Any]) -> None:
    """web: blue/green with 5 minutes' bake; api: canary 10 % for 5 minutes, then 5 minutes' bake (2m35s per task)."""
    rows = {row["name"]: row for row in plan["services"]}
    one_task = rollout.IMAGE_PULL_ALLOWANCE_SECONDS + 30 + 20 + 15 + 30

    assert (rows["web"]["rollout"]["strategy"], rows["web"]["rollout"]["seconds"]) == ("BLUE_GREEN", one_task + 300)
    assert (rows["api"]["rollout"]["strategy"], rows["api"]["rollout"]["seconds"]) == ("CANARY", one_task + 300 + 300)
    assert rows["orders"]["rollout"]["strategy"] == "ROLLING"
    # api runs its second revision (2 tasks of 0.25 vCPU / 0.5 GB) for the whole rollout, at Fargate on-demand prices.
    assert rows["api"]["rollout"]["extra_task_seconds"] == 2 * (one_task + 600)
    assert rows["api"]["deploy_extra_cost"] > 0
    assert rows["web"]["deploy_extra_cost"] is None  # EC2: paid in instance room, not per task


def test_the_demo_rolls_out_fast_fits_its_groups_and_stays_far_under_the_stack_limit(plan: dict[str, Any]) -> None:
    assert plan["warnings"] == []
    assert all(row["rollout"]["seconds"] <= rollout.SLOW_ROLLOUT_SECONDS for row in plan["services"])
    assert all(row["ok"] for row in plan["packing"]) and all(group["ok"] for group in plan["groups"])
    assert all(stack["resources"] < 500 for stack in plan["stacks"])
    assert 0 < plan["cost"]["minimum"] <= plan["cost"]["maximum"]
