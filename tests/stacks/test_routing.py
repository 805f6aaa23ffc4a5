"""The routing fields through the real builds of the example manifests: fargate-only's storefront (two hosts, stickiness),
admin (an HTTPS proxy sidecar, its own health port, additional routes) and checkout (an existing security group), and
ec2-only's existing load balancer."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk.assertions import Match

from ecs_toolkit import outputs
from tests.conftest import ROOT, Synthesized, synthesize


@pytest.fixture(scope="module")
def shop() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "fargate-only.yaml")


@pytest.fixture(scope="module")
def batch() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "ec2-only.yaml")


def test_storefront_rule_takes_both_hosts_and_its_target_groups_keep_visitors_on_one_task(shop: Synthesized) -> None:
    template = shop.template(shop.environment.services["storefront"])
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Conditions": Match.array_with(
                [{"Field": "host-header", "HostHeaderConfig": {"Values": ["shop.example.com", "www.shop.example.com"]}}]
            )
        },
    )
    sticky = template.find_resources(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Properties": {
                "TargetGroupAttributes": Match.array_with([{"Key": "stickiness.lb_cookie.duration_seconds", "Value": "3600"}])
            }
        },
    )
    assert len(sticky) == 2  # the primary and the alternate group of the linear deployment


def test_admin_sends_https_to_its_proxy_checks_the_proxys_health_port_and_publishes_it(shop: Synthesized) -> None:
    template = shop.template(shop.environment.services["admin"])
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Port": 8443,
            "Protocol": "HTTPS",
            "HealthCheckPort": "8444",
            "HealthCheckProtocol": "HTTPS",
            "HealthCheckPath": "/ready",
        },
    )
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "ContainerDefinitions": Match.array_with(
                [
                    Match.object_like(
                        {
                            "Name": "proxy",
                            "PortMappings": [
                                Match.object_like({"ContainerPort": 8443}),
                                Match.object_like({"ContainerPort": 8444}),
                            ],
                        }
                    )
                ]
            )
        },
    )
    ports = sorted(
        resource["Properties"]["FromPort"] for resource in template.find_resources("AWS::EC2::SecurityGroupIngress").values()
    )
    assert ports == [8080, 8443, 8444]


def test_admin_additional_routes_reach_the_app_directly_and_the_proxy_through_the_route(shop: Synthesized) -> None:
    template = shop.template(shop.environment.services["admin"])
    groups = template.find_resources("AWS::ElasticLoadBalancingV2::TargetGroup")
    by_port = {resource["Properties"]["Port"]: logical_id for logical_id, resource in groups.items()}
    assert sorted(by_port) == [8080, 8443]
    rules = template.find_resources("AWS::ElasticLoadBalancingV2::ListenerRule")
    targets = {
        tuple(rule["Properties"]["Conditions"][1]["PathPatternConfig"]["Values"]): rule["Properties"]["Actions"][0][
            "TargetGroupArn"
        ]
        for rule in rules.values()
    }
    assert targets == {
        ("/*",): {"Ref": by_port[8443]},
        ("/status",): {"Ref": by_port[8080]},
        ("/assets/*", "/favicon.ico"): {"Ref": by_port[8443]},
    }
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "LoadBalancers": [
                {"ContainerName": "proxy", "ContainerPort": 8443, "TargetGroupArn": {"Ref": by_port[8443]}},
                {"ContainerName": "admin", "ContainerPort": 8080, "TargetGroupArn": {"Ref": by_port[8080]}},
            ]
        },
    )


def test_checkout_tasks_take_the_existing_security_group_besides_their_own(shop: Synthesized) -> None:
    stack = shop.environment.services["checkout"]
    template = shop.template(stack)
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "NetworkConfiguration": {
                "AwsvpcConfiguration": Match.object_like(
                    {"SecurityGroups": [{"Fn::GetAtt": [Match.any_value(), "GroupId"]}, "sg-0f1e2d3c4b5a69788"]}
                )
            }
        },
    )
    published = template.find_outputs(outputs.TASK_SECURITY_GROUP_IDS)
    (output,) = published.values()
    assert output["Value"]["Fn::Join"][1][1] == "sg-0f1e2d3c4b5a69788"


def test_an_existing_load_balancer_is_imported_not_created_and_its_group_reaches_the_pinned_range(batch: Synthesized) -> None:
    platform = batch.template(batch.environment.platform)
    platform.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 0)
    platform.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 0)
    existing = "sg-0a1b2c3d4e5f60731"
    platform.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress", {"FromPort": 62000, "ToPort": 62999, "SourceSecurityGroupId": existing}
    )
    for kind in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
        assert not platform.find_resources(kind, {"Properties": {"GroupId": existing}})
    renderer = batch.template(batch.environment.services["renderer"])
    renderer.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "ListenerArn": (
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/batch-internal/0a1b2c3d4e5f6071/1a2b3c4d5e6f7081"
            ),
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/render/*", "/thumbnails/*"]}}],
        },
    )
    platform.has_output(outputs.LOAD_BALANCER_DNS, {"Value": "internal-batch-internal-1234567890.us-east-1.elb.amazonaws.com"})


def test_a_jobs_runs_take_its_existing_security_groups_and_verify_reads_them_from_its_output() -> None:
    from ecs_toolkit.assembly import load_assembly
    from ecs_toolkit.config import EnvironmentConfig
    from ecs_toolkit.verify import verify
    from ecs_toolkit.verify.workloads import read_workloads
    from tests.conftest import synthesize_config

    config = EnvironmentConfig.model_validate(
        {
            "name": "sg",
            "network": {"nat_gateways": 1},
            "services": {
                "nightly": {
                    "kind": "job",
                    "image": "public.ecr.aws/docker/library/busybox:stable",
                    "cpu": 256,
                    "memory_mib": 512,
                    "schedule": "rate(1 day)",
                    "security_groups": ["sg-0123456789abcdef0"],
                }
            },
        }
    )
    built = synthesize_config(config)
    template = built.template(built.environment.services["nightly"])
    machine = next(iter(template.find_resources("AWS::StepFunctions::StateMachine").values()))
    assert "sg-0123456789abcdef0" in str(machine["Properties"]["DefinitionString"])
    assembly = load_assembly(Path(built.assembly.directory))
    workload = read_workloads(assembly, config)["nightly"]
    assert workload.task_groups[1:] == ["sg-0123456789abcdef0"]
    assert workload.task_groups[0].startswith("sg-nightly/")
    assert not [finding for finding in verify(assembly, config) if finding.failed]
