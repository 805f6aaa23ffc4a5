"""EcsTask and ContainerSpec: a task definition, hardened containers, and the task's own log group."""

from __future__ import annotations

import dataclasses

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from ecs_toolkit.checks import nag
from ecs_toolkit.constructs import ContainerSpec, EcsTask, LinuxOptions, RestartPolicy, TaskVolume
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


def _side(**change: object) -> ContainerSpec:
    return dataclasses.replace(
        ContainerSpec(name="side", image=ecs.ContainerImage.from_registry("busybox"), memory_limit_mib=32), **change
    )


EBS = ecs.ServiceManagedEBSVolumeConfiguration(size=cdk.Size.gibibytes(10))
HEALTHY = ecs.ContainerDependencyCondition.HEALTHY
SUCCESS = ecs.ContainerDependencyCondition.SUCCESS
REFUSED_CONTAINERS = [
    ({"containers": [container(), container()]}, "container names must be unique"),
    ({"main": {"depends_on": {"nope": HEALTHY}}}, ", which is not another container"),
    ({"main": {"depends_on": {"side": HEALTHY}}}, "to be healthy, but it has no health check"),
    ({"main": {"depends_on": {"side": SUCCESS}}}, "to exit, but it is essential"),
    ({"main": {"dns_servers": ["10.0.0.2"]}}, ": dns servers and extra hosts are not supported in awsvpc mode"),
    ({"main": {"gpus": 1}}, ": Fargate has no GPUs"),
    ({"main": {"linux": LinuxOptions(shared_memory_mib=64)}}, ": shared memory and tmpfs are not supported on Fargate"),
    ({"main": {"linux": LinuxOptions(capabilities_add=[ecs.Capability.NET_ADMIN])}}, ": Fargate allows adding only SYS_PTRACE"),
    ({"volumes": [TaskVolume(name="a"), TaskVolume(name="a")]}, "volume names must be unique"),
    ({"volumes": [TaskVolume(name="a", host_path="/x", ebs=EBS)]}, "is either a host path or an EBS volume"),
    ({"volumes": [TaskVolume(name="sock", host_path="/var/run/docker.sock")]}, ": host paths exist on EC2 only"),
    ({"volumes": [TaskVolume(name="a", ebs=EBS), TaskVolume(name="b", ebs=EBS)]}, "ECS attaches one EBS volume per task"),
    (
        {"main": {"mounts": [ecs.MountPoint(source_volume="nope", container_path="/x", read_only=False)]}},
        ", which is no task volume",
    ),
    ({"main": {"volumes_from": [ecs.VolumeFrom(source_container="app", read_only=True)]}}, "takes volumes from"),
]


@pytest.mark.parametrize(("case", "message"), REFUSED_CONTAINERS, ids=[m for _, m in REFUSED_CONTAINERS])
def test_task_refuses_container_settings_and_volumes_ecs_would_reject_at_deploy(
    stack: cdk.Stack, vpc: ec2.IVpc, case: dict[str, object], message: str
) -> None:
    main = dataclasses.replace(container(), **case.get("main", {}))  # type: ignore[arg-type]
    containers = case.get("containers", [main, _side()])
    volumes = case.get("volumes", ())
    with pytest.raises(ValueError, match=message):
        EcsTask(stack, containers=containers, fargate=True, vpc=vpc, cpu=256, memory_mib=512, volumes=volumes)  # type: ignore[arg-type]


def test_task_wires_dependencies_restart_policy_and_linux_options(stack: cdk.Stack) -> None:
    check = ecs.HealthCheck(command=["CMD", "/ok"])
    side = ContainerSpec(name="side", image=ecs.ContainerImage.from_registry("busybox"), memory_limit_mib=32, health_check=check)
    main = dataclasses.replace(
        container(),
        depends_on={"side": ecs.ContainerDependencyCondition.HEALTHY},
        restart_policy=RestartPolicy(ignored_exit_codes=[0, 143], attempt_reset_period=Duration.seconds(90)),
        linux=LinuxOptions(init_process=True, tmpfs=[ecs.Tmpfs(container_path="/tmp", size=16)]),
        ulimits=[ecs.Ulimit(name=ecs.UlimitName.NOFILE, soft_limit=1024, hard_limit=2048)],
        memory_reservation_mib=128,
    )
    EcsTask(stack, containers=[main, side], fargate=False, network_mode="bridge", cpu=256, memory_mib=512)

    definition = assertions.Template.from_stack(stack).find_resources("AWS::ECS::TaskDefinition")
    (containers,) = [r["Properties"]["ContainerDefinitions"] for r in definition.values()]
    app = containers[0]
    assert app["DependsOn"] == [{"ContainerName": "side", "Condition": "HEALTHY"}]
    assert app["RestartPolicy"] == {"Enabled": True, "IgnoredExitCodes": [0, 143], "RestartAttemptPeriod": 90}
    assert app["LinuxParameters"]["Tmpfs"] == [{"ContainerPath": "/tmp", "Size": 16}]
    assert app["Ulimits"] == [{"Name": "nofile", "SoftLimit": 1024, "HardLimit": 2048}]
    assert app["MemoryReservation"] == 128
    assert "RestartPolicy" not in containers[1]
