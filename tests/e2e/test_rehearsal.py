"""The deploy rehearsal end to end: the default manifest, synthesized by the CDK CLI, deployed into moto and verified.

One rehearsal per session (about half a minute); the assertions read the same templates that were
deployed, so they follow the app as services are added.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.rehearsal.assembly import CUSTOM_PREFIX, StackTemplate, custom_resources, load_assembly
from ecs_toolkit.rehearsal.checks import CHECKS

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = "config/default.yaml"

pytestmark = pytest.mark.e2e
Outcome = tuple[dict[str, Any], list[StackTemplate], str]
"""The rehearsal's JSON outcome, the templates it deployed, and its printed report."""


def run_rehearsal(manifest: str, work_dir: Path) -> Outcome:
    """``python -m ecs_toolkit.rehearsal`` on ``manifest``, as ``make deploy-local`` runs it."""
    outcome_path = work_dir / "outcome.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecs_toolkit.rehearsal",
            "--config",
            manifest,
            "--work-dir",
            str(work_dir),
            "--json",
            str(outcome_path),
        ],
        cwd=ROOT,
        # No Docker for any rehearsal: images built from source are stood in for, never built.
        env={**os.environ, "CDK_DOCKER": "/nonexistent/docker"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if not outcome_path.exists():
        pytest.fail(f"the rehearsal stopped before its report (exit {completed.returncode}): {completed.stderr.strip()[-2000:]}")
    outcome = json.loads(outcome_path.read_text())
    assert completed.returncode == (0 if outcome["passed"] else 1)
    return outcome, load_assembly(work_dir / "cdk.out"), completed.stdout


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    return run_rehearsal(MANIFEST, tmp_path_factory.mktemp("rehearsal"))


def test_every_stack_of_the_default_manifest_reaches_create_complete(rehearsal: Outcome) -> None:
    outcome, stacks, _ = rehearsal
    statuses = {stack["name"]: stack["status"] for stack in outcome["verification"]["stacks"]}
    assert statuses == {stack.name: "CREATE_COMPLETE" for stack in stacks}
    assert outcome["deploy_error"] == ""


def test_every_modelled_resource_matches_its_template(rehearsal: Outcome) -> None:
    outcome, _, report = rehearsal
    assert outcome["failures"] == [], report
    assert outcome["passed"]


def test_every_template_resource_is_accounted_for_exactly_once(rehearsal: Outcome) -> None:
    outcome, stacks, _ = rehearsal
    reported = Counter((item["stack"], item["logical_id"]) for item in outcome["verification"]["resources"])
    expected = Counter((stack.name, logical_id) for stack in stacks for logical_id in stack.resources)
    assert reported == expected


def test_resources_with_a_check_are_verified_through_their_service_api(rehearsal: Outcome) -> None:
    outcome, stacks, _ = rehearsal
    outcomes = {(item["stack"], item["logical_id"]): item["outcome"] for item in outcome["verification"]["resources"]}
    checked = [
        (stack.name, resource.logical_id) for stack in stacks for resource in stack.resources.values() if resource.type in CHECKS
    ]
    assert checked, "the templates contain no resource that the rehearsal can check"
    assert {key: outcomes[key] for key in checked} == {key: "verified" for key in checked}


def test_the_core_of_an_ecs_environment_is_verified(rehearsal: Outcome) -> None:
    outcome, stacks, _ = rehearsal
    in_templates = Counter(resource.type for stack in stacks for resource in stack.resources.values())
    verified = Counter(item["type"] for item in outcome["verification"]["resources"] if item["outcome"] == "verified")
    for resource_type in (
        "AWS::ECS::Cluster",
        "AWS::ECS::Service",
        "AWS::ECS::TaskDefinition",
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "AWS::AutoScaling::AutoScalingGroup",
        "AWS::EC2::VPC",
    ):
        assert verified[resource_type] == in_templates[resource_type] > 0, resource_type


def test_custom_resources_are_answered_not_executed_and_reported(rehearsal: Outcome) -> None:
    outcome, stacks, report = rehearsal
    custom = {(stack.name, resource.logical_id) for stack in stacks for resource in custom_resources(stack)}
    assert {(answer["stack"], answer["logical_id"]) for answer in outcome["answered"]} == custom
    assert all(
        item["outcome"] == "answered" for item in outcome["verification"]["resources"] if item["type"].startswith(CUSTOM_PREFIX)
    )
    assert "answered, not executed" in report


def test_the_ops_helpers_status_reads_the_rehearsal_through_the_endpoint(rehearsal: Outcome) -> None:
    outcome, _, _ = rehearsal
    helpers = outcome["helpers"]
    assert helpers["ran"], helpers["detail"]
    assert "SERVICE" in helpers["output"]


def test_destroy_reports_what_the_emulator_could_not_delete(rehearsal: Outcome) -> None:
    outcome, stacks, _ = rehearsal
    destroy = outcome["destroy"]
    assert sorted([*destroy["deleted"], *destroy["remaining"]]) == sorted(stack.name for stack in stacks)
    assert all(reason for reason in destroy["remaining"].values())


def test_the_rehearsal_reports_the_proof_over_what_it_deployed(rehearsal: Outcome) -> None:
    """Every declared connection of the default manifest is proven OPEN in the rehearsal's report, nothing fails."""
    outcome, _, report = rehearsal
    proof = outcome["proof"]
    assert [finding for finding in proof if finding["status"] in ("CLOSED", "UNINTENDED")] == []
    connections = {f["path"].split(" (")[0] for f in proof if f["category"] == "connection" and f["status"] == "OPEN"}
    assert connections == {"web -> orders", "api -> orders", "queue -> orders"}
    assert "Proof over the deployed templates (verify):" in report


def test_an_image_built_from_source_is_stood_in_for_and_its_job_deploys(rehearsal: Outcome) -> None:
    outcome, stacks, report = rehearsal
    (image,) = outcome["images"]
    assert image.startswith("demo-nightly-report: Job/TaskDefinition/nightly-report/AssetImage (asset.")
    assert "Images built from source, stood in for" in report
    (job,) = [stack for stack in outcome["verification"]["stacks"] if stack["name"] == "demo-nightly-report"]
    assert job["status"] == "CREATE_COMPLETE"
    (template,) = [stack for stack in stacks if stack.name == "demo-nightly-report"]
    (task_definition,) = [r for r in template.resources.values() if r.type == "AWS::ECS::TaskDefinition"]
    assert "container-assets" in task_definition.properties["ContainerDefinitions"][0]["Image"]["Fn::Sub"]
