"""EcsTask and ContainerSpec: a task definition, hardened containers, and the task's own log group."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2

from ecs_toolkit.checks import nag
from ecs_toolkit.constructs import EcsTask
from tests.constructs.conftest import Example, container


def _definition(example: Example, owner: object) -> dict[str, object]:
    definition = owner.task_definition  # type: ignore[attr-defined]
    properties: dict[str, object] = example.template.to_json()["Resources"][example.logical_id(definition)]["Properties"]
    return properties


def test_a_bridge_task_publishes_host_port_0_for_a_dynamic_port(example: Example) -> None:
    web = _definition(example, example.built.web)
    assert web["NetworkMode"] == "bridge"
    (main,) = web["ContainerDefinitions"]  # type: ignore[misc]
    assert main["PortMappings"] == [{"ContainerPort": 80, "HostPort": 0, "Name": "web-80", "Protocol": "tcp"}]


def test_defaults_hardened_containers_logging_non_blocking_to_a_log_group_kept_a_month(example: Example) -> None:
    api = _definition(example, example.built.api)
    assert (api["NetworkMode"], api["Cpu"], api["Memory"]) == ("awsvpc", "256", "512")
    assert api["RuntimePlatform"] == {"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"}
    (main,) = api["ContainerDefinitions"]  # type: ignore[misc]
    assert main["Privileged"] is False and main["ReadonlyRootFilesystem"] is True
    assert main["Memory"] == 512 and main["StopTimeout"] == 30 and main["Essential"] is True
    assert main["PortMappings"] == [{"ContainerPort": 8080, "HostPort": 8080, "Name": "api-8080", "Protocol": "tcp"}]
    options = main["LogConfiguration"]["Options"]
    assert main["LogConfiguration"]["LogDriver"] == "awslogs"
    assert (options["mode"], options["awslogs-stream-prefix"]) == ("non-blocking", "ecs")
    log_group = example.logical_id(example.built.api.log_group)
    assert example.template.to_json()["Resources"][log_group]["Properties"]["RetentionInDays"] == 30


def test_task_and_service_reject_impossible_settings(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    with pytest.raises(ValueError, match="Fargate needs awsvpc, not bridge"):
        EcsTask(stack, containers=[container()], fargate=True, network_mode="bridge", cpu=256, memory_mib=512)
    with pytest.raises(ValueError, match="give at least one container"):
        EcsTask(stack, containers=[], fargate=True, cpu=256, memory_mib=512)
    with pytest.raises(ValueError, match="unknown network mode 'nat'"):
        EcsTask(stack, containers=[container()], fargate=False, network_mode="nat", cpu=256, memory_mib=512)
    with pytest.raises(ValueError, match="awsvpc tasks need the vpc for their security group"):
        EcsTask(stack, containers=[container()], fargate=True, cpu=256, memory_mib=512)


def test_an_ec2_awsvpc_task_gets_aws_region_from_cdk_and_no_unacknowledged_env_finding(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    EcsTask(stack, containers=[container()], fargate=False, network_mode="awsvpc", cpu=256, memory_mib=512, vpc=vpc)
    (definition,) = assertions.Template.from_stack(stack).find_resources("AWS::ECS::TaskDefinition").values()
    assert definition["Properties"]["ContainerDefinitions"][0]["Environment"] == [
        {"Name": "AWS_REGION", "Value": {"Ref": "AWS::Region"}}
    ]
    assert not [finding for finding in nag.findings(stack) if finding.rule_id == "AwsSolutions-ECS2"]


def test_ports_and_protocols_are_checked_per_container(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    from dataclasses import replace

    def task(network_mode: str, **spec: object) -> None:
        EcsTask(
            stack,
            containers=[replace(container(), **spec)],  # type: ignore[arg-type]
            fargate=False,
            network_mode=network_mode,
            cpu=256,
            memory_mib=512,
            vpc=vpc,
        )

    with pytest.raises(ValueError, match=r"container 'app' protocols must be tcp and/or udp, got \['sctp'\]"):
        task("bridge", protocols=("sctp",))
    with pytest.raises(ValueError, match=r"container 'app' protocols must be tcp and/or udp, got \[\]"):
        task("bridge", protocols=())
    with pytest.raises(ValueError, match=r"container 'app' repeats a protocol: \['tcp', 'tcp'\]"):
        task("bridge", protocols=("tcp", "tcp"))
    with pytest.raises(ValueError, match="container 'app' has protocols or host-port settings but no port"):
        task("bridge", port=None, protocols=("udp",))
    with pytest.raises(ValueError, match="static_host_port applies to bridge mode only, not awsvpc"):
        task("awsvpc", static_host_port=True)
    with pytest.raises(
        ValueError,
        match="container 'app' has a health_check_port in bridge mode without static_host_port: "
        "a load balancer cannot find a dynamic host port it did not register",
    ):
        task("bridge", health_check_port=8081)
