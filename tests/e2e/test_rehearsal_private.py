"""The private example rehearsed: no NAT gateways, eleven endpoints, an internal load balancer, a Bottlerocket group,
a GPU group with its nightly job, a host volume and three ECR repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_rehearsal import run_rehearsal

pytestmark = pytest.mark.e2e


def test_the_private_example_deploys_and_every_resource_matches_its_template(tmp_path: Path) -> None:
    outcome, stacks, report = run_rehearsal("config/examples/private.yaml", tmp_path)

    assert outcome["passed"], report
    statuses = {stack["name"]: stack["status"] for stack in outcome["verification"]["stacks"]}
    assert statuses == {stack.name: "CREATE_COMPLETE" for stack in stacks}
    endpoints = [r for r in outcome["verification"]["resources"] if r["type"] == "AWS::EC2::VPCEndpoint"]
    assert len(endpoints) == 11
    assert not any(r["type"] == "AWS::EC2::NatGateway" for r in outcome["verification"]["resources"])
    rocket = {
        r["type"]: r["outcome"]
        for r in outcome["verification"]["resources"]
        if r["logical_id"].startswith("Ec2Grouprocket") and r["type"].startswith(("AWS::EC2::LaunchTemplate", "AWS::AutoScaling"))
    }
    assert rocket == {"AWS::EC2::LaunchTemplate": "verified", "AWS::AutoScaling::AutoScalingGroup": "verified"}
    # The GPU group's launch template (image id from the ECS GPU-optimized AL2023 parameter) and its Auto Scaling group.
    gpu = {
        r["type"]: r["outcome"]
        for r in outcome["verification"]["resources"]
        if r["logical_id"].startswith("Ec2Groupgpu") and r["type"].startswith(("AWS::EC2::LaunchTemplate", "AWS::AutoScaling"))
    }
    assert gpu == {"AWS::EC2::LaunchTemplate": "verified", "AWS::AutoScaling::AutoScalingGroup": "verified"}
    # moto publishes the ECS-optimized GPU parameter itself: only Bottlerocket's had to be published.
    assert outcome["public_parameters"] == ["/aws/service/bottlerocket/aws-ecs-2/arm64/latest/image_id"]
    transcribe = {r["type"]: r["outcome"] for r in outcome["verification"]["resources"] if r["stack"] == "intranet-transcribe"}
    assert transcribe["AWS::ECS::TaskDefinition"] == transcribe["AWS::StepFunctions::StateMachine"] == "verified"
    sync = {r["type"]: r["outcome"] for r in outcome["verification"]["resources"] if r["stack"] == "intranet-sync"}
    assert sync["AWS::ECS::Service"] == sync["AWS::ECS::TaskDefinition"] == "verified"
    # The directory's host volume and its mount are compared with the template (the rehearsal's task-definition check).
    directory = {r["type"]: r["outcome"] for r in outcome["verification"]["resources"] if r["stack"] == "intranet-directory"}
    assert directory["AWS::ECS::TaskDefinition"] == "verified"
    # The declared repositories exist in the emulator (sync's image names the second by digest).
    repositories = {r["physical_id"] for r in outcome["verification"]["resources"] if r["type"] == "AWS::ECR::Repository"}
    assert repositories == {"intranet/portal", "intranet/directory-sync", "intranet/transcribe"}
