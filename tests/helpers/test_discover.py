from __future__ import annotations

from pathlib import Path

import pytest

from ecs_toolkit import outputs
from ecs_toolkit.config.loader import load_manifest
from ecs_toolkit.helpers.discover import StrategyItem, discover, parse_strategy
from ecs_toolkit.helpers.errors import HelperError, UsageError
from tests.helpers.world import ASG, CLUSTER, PROVIDER, SERVICES, World, client, create_stack, delete_stack


def test_finds_cluster_services_and_ec2_groups_from_stack_outputs(world: World) -> None:
    env = discover(world.config, world.client("cloudformation"))

    assert env.cluster_name == CLUSTER
    assert env.vpc_id == world.ids["vpc"]
    assert env.private_subnet_ids == world.ids["private"]
    assert {name: target.service_name for name, target in env.services.items()} == {**SERVICES, "report": None}
    assert env.services["web"].target_group_arns == [world.ids["target_group"]]
    assert env.services["api"].target_group_arns == []
    group = env.ec2_groups["ondemand"]
    assert (group.auto_scaling_group_name, group.capacity_provider_name) == (ASG, PROVIDER)
    assert env.missing_stacks == []


def test_reports_missing_stacks_instead_of_failing(world: World) -> None:
    delete_stack("demo-api")
    delete_stack("demo-platform")

    env = discover(world.config, world.client("cloudformation"))

    assert env.missing_stacks == ["demo-platform", "demo-api"]
    assert "api" not in env.services
    with pytest.raises(HelperError, match="stack demo-platform not found"):
        env.require_cluster()
    with pytest.raises(HelperError, match="stack demo-api not found"):
        env.service("api")


def test_rejects_a_name_that_is_not_in_the_manifest(world: World) -> None:
    env = discover(world.config, world.client("cloudformation"))

    with pytest.raises(UsageError, match="'worker' is not a service or job of environment demo"):
        env.service("worker")


def test_translates_ec2_group_names_of_a_strategy_to_provider_names(world: World) -> None:
    env = discover(world.config, world.client("cloudformation"))

    assert env.provider_name("ondemand") == PROVIDER
    assert env.provider_name("FARGATE_SPOT") == "FARGATE_SPOT"


def test_parses_strategy_outputs_with_defaults_and_the_empty_marker() -> None:
    assert parse_strategy("ondemand:1:2,spot::3,FARGATE") == [
        StrategyItem("ondemand", 1, 2),
        StrategyItem("spot", 0, 3),
        StrategyItem("FARGATE", 0, 1),
    ]
    assert parse_strategy("-") == []
    with pytest.raises(HelperError, match="not provider:base:weight"):
        parse_strategy("spot:x:1")


def test_reads_the_network_from_the_platform_stack_for_an_imported_vpc(aws: None, tmp_path: Path) -> None:
    manifest = tmp_path / "batch.yaml"
    manifest.write_text(
        """\
name: batch
network:
  existing:
    vpc_id: vpc-0a1b2c3d4e5f60718
    cidr: 10.20.0.0/16
    availability_zones: [us-east-1a, us-east-1b]
    private_subnet_ids: [subnet-0a1b2c3d4e5f60711, subnet-0a1b2c3d4e5f60712]
"""
    )
    create_stack(
        "batch-platform",
        {
            outputs.CLUSTER_NAME: "batch-cluster",
            outputs.VPC_ID: "vpc-0a1b2c3d4e5f60718",
            outputs.PRIVATE_SUBNET_IDS: "subnet-0a1b2c3d4e5f60711,subnet-0a1b2c3d4e5f60712",
            outputs.EC2_GROUPS: outputs.EMPTY_LIST,
        },
    )

    env = discover(load_manifest(manifest), client("cloudformation"))

    assert env.missing_stacks == []
    assert env.vpc_id == "vpc-0a1b2c3d4e5f60718"
    assert env.private_subnet_ids == ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712"]
    assert env.ec2_groups == {}
