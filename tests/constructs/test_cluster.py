"""EcsCluster: Container Insights, logged ECS Exec, a Cloud Map namespace, named capacity providers."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import Ec2Capacity, EcsCluster, StrategyItem
from tests.constructs.conftest import Example


def test_defaults_enhanced_insights_logged_exec_and_a_private_namespace(example: Example) -> None:
    example.template.has_resource_properties(
        "AWS::ECS::Cluster",
        {
            "ClusterSettings": [{"Name": "containerInsights", "Value": "enhanced"}],
            "Configuration": {"ExecuteCommandConfiguration": Match.object_like({"Logging": "OVERRIDE"})},
        },
    )
    example.template.has_resource_properties("AWS::ServiceDiscovery::PrivateDnsNamespace", {"Name": "shop.internal"})
    log_group = example.logical_id(example.built.cluster.exec_log_group)
    assert example.template.to_json()["Resources"][log_group]["Properties"]["RetentionInDays"] == 90


def test_the_default_strategy_and_ec2_providers_join_the_cluster(example: Example) -> None:
    (association,) = example.resources("AWS::ECS::ClusterCapacityProviderAssociations").values()
    providers = association["Properties"]["CapacityProviders"]
    assert "FARGATE" in providers and "FARGATE_SPOT" in providers and len(providers) == 3
    assert association["Properties"]["DefaultCapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE", "Base": 0, "Weight": 1}
    ]
    assert set(example.built.cluster.ec2_capacity) == {"spot"}


def test_strategy_translates_names_to_providers(example: Example) -> None:
    (fargate, spot) = example.built.cluster.strategy([StrategyItem("FARGATE", base=1), StrategyItem("spot", weight=3)])
    assert (fargate.capacity_provider, fargate.base, fargate.weight) == ("FARGATE", 1, 1)
    assert spot.capacity_provider == example.built.spot.capacity_provider.capacity_provider_name
    assert spot.weight == 3


def test_cluster_rejects_taken_and_unknown_provider_names(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal", fargate=False)
    with pytest.raises(ValueError, match="unknown capacity provider 'nope'"):
        cluster.strategy([StrategyItem("nope")])
    with pytest.raises(ValueError, match="FARGATE is not enabled on this cluster"):
        cluster.strategy([StrategyItem("FARGATE")])
    capacity = Ec2Capacity(stack, "Cap", vpc=vpc, instance_types=["t3.small"], max_capacity=1)
    with pytest.raises(ValueError, match="is taken"):
        cluster.add_ec2_capacity("FARGATE", capacity)
    cluster.add_ec2_capacity("small", capacity)
    with pytest.raises(ValueError, match="capacity provider name 'small' is taken"):
        cluster.add_ec2_capacity("small", capacity)
