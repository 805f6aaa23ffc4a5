"""The constructs on their own, as a hand-written CDK app uses them (no manifest)."""

from __future__ import annotations

import dataclasses
import ipaddress
import itertools
import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match

from ecs_toolkit.checks import nag
from ecs_toolkit.compliance import acknowledge
from ecs_toolkit.constructs.capacity import Ec2Capacity
from ecs_toolkit.constructs.cluster import EcsCluster, StrategyItem
from ecs_toolkit.constructs.grants import TaskGrant, attach_role_policy, grant_statements, granular_rule_ids
from ecs_toolkit.constructs.load_balancer import SharedLoadBalancer
from ecs_toolkit.constructs.network import Network, subnet_masks
from ecs_toolkit.constructs.routing import AlbRoute
from ecs_toolkit.constructs.service import ContainerSpec, DeploymentSpec, EcsService
from ecs_toolkit.constructs.task import EcsTask, LinuxOptions, RestartPolicy, TaskVolume
from tests.conftest import ROOT, new_app


@pytest.fixture(scope="module")
def readme_example() -> assertions.Template:
    """The README's hand-written example, executed as written (its code block is the source)."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"### Using the constructs in hand-written CDK\n.*?```python\n(.*?)```", readme, re.S)
    assert block is not None
    app = new_app()
    stack = cdk.Stack(app, "HandWritten")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    namespace: dict[str, object] = {"self": stack, "vpc": vpc}
    exec(block.group(1), namespace)
    return assertions.Template.from_stack(stack)


def test_readme_example_builds_a_bridge_service_behind_the_alb_on_spot(readme_example: assertions.Template) -> None:
    readme_example.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "NetworkMode": "bridge",
            "ContainerDefinitions": [Match.object_like({"PortMappings": [Match.object_like({"HostPort": 0})]})],
        },
    )
    readme_example.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress", {"FromPort": 61000, "ToPort": 61999, "SourceSecurityGroupId": Match.any_value()}
    )
    readme_example.has_resource_properties("AWS::ElasticLoadBalancingV2::ListenerRule", {"Priority": 100})
    readme_example.has_resource_properties(
        "AWS::ECS::Service",
        {"DeploymentConfiguration": Match.object_like({"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}})},
    )
    readme_example.resource_count_is("AWS::AutoScaling::LaunchConfiguration", 0)


def test_no_construct_opens_the_cdk_default_ephemeral_range(readme_example: assertions.Template) -> None:
    rules = readme_example.find_resources("AWS::EC2::SecurityGroupIngress")
    assert rules
    assert all(rule["Properties"].get("FromPort") != 32768 for rule in rules.values())


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(new_app(), "Bare")


@pytest.fixture
def vpc(stack: cdk.Stack) -> ec2.IVpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)


def _container(port: int | None = 80) -> ContainerSpec:
    return ContainerSpec(name="app", image=ecs.ContainerImage.from_registry("nginx"), memory_limit_mib=256, port=port)


def test_network_rejects_a_single_zone_and_too_many_nat_gateways(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="use 2 or 3 availability zones"):
        Network(stack, "One", availability_zones=["a"])
    with pytest.raises(ValueError, match="nat_gateways must be 0 to 2"):
        Network(stack, "Nat", availability_zones=["a", "b"], nat_gateways=3)
    with pytest.raises(ValueError, match="unknown endpoints"):
        Network(stack, "Endpoints", availability_zones=["a", "b"], endpoints=["dynamo"])
    with pytest.raises(ValueError, match="NAT gateways live in public subnets"):
        Network(stack, "NoPublic", availability_zones=["a", "b"], public_subnets=False)


def test_a_network_without_public_subnets_has_no_internet_gateway_and_starts_private_subnets_at_zero(
    stack: cdk.Stack,
) -> None:
    network = Network(stack, "Net", cidr="10.9.0.0/22", availability_zones=["a", "b", "c"], nat_gateways=0, public_subnets=False)
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::InternetGateway", 0)
    template.resource_count_is("AWS::EC2::Route", 0)
    assert not network.vpc.public_subnets
    cidrs = sorted(r["Properties"]["CidrBlock"] for r in template.find_resources("AWS::EC2::Subnet").values())
    assert cidrs == ["10.9.0.0/24", "10.9.1.0/24", "10.9.2.0/24"]  # a quarter of the /22 each, from its start


@pytest.mark.parametrize("zones", [2, 3])
def test_subnet_masks_keep_the_16_layout_and_never_go_below_what_a_load_balancer_needs(zones: int) -> None:
    assert subnet_masks(16, zones) == (22, 20)
    for prefix in range(16, 25):
        public, private = subnet_masks(prefix, zones)
        assert public <= 27 and private <= 28, prefix
        assert zones * (2 ** (32 - public) + 2 ** (32 - private)) <= 2 ** (32 - prefix), prefix


@pytest.mark.parametrize("zones", [2, 3])
@pytest.mark.parametrize("prefix", range(16, 25))
def test_every_allowed_vpc_size_gets_non_overlapping_subnets_inside_the_cidr(prefix: int, zones: int) -> None:
    cidr = f"10.40.0.0/{prefix}"
    stack = cdk.Stack(new_app(), "Small")
    Network(stack, "Net", cidr=cidr, availability_zones=["a", "b", "c"][:zones], nat_gateways=0, flow_logs=False)
    subnets = [
        ipaddress.ip_network(resource["Properties"]["CidrBlock"])
        for resource in assertions.Template.from_stack(stack).find_resources("AWS::EC2::Subnet").values()
    ]
    assert len(subnets) == 2 * zones
    assert all(subnet.subnet_of(ipaddress.ip_network(cidr)) for subnet in subnets)  # type: ignore[arg-type]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(subnets, 2))
    assert min(subnet.prefixlen for subnet in subnets) >= 20 and max(s.prefixlen for s in subnets) <= 27


def test_capacity_rejects_bad_sizes_and_port_ranges(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    with pytest.raises(ValueError, match="at least one instance type"):
        Ec2Capacity(stack, "None", vpc=vpc, instance_types=[], max_capacity=1)
    with pytest.raises(ValueError, match="min_capacity 3 is greater than max_capacity 2"):
        Ec2Capacity(stack, "Size", vpc=vpc, instance_types=["t3.small"], min_capacity=3, max_capacity=2)
    with pytest.raises(ValueError, match="reversed"):
        Ec2Capacity(stack, "Ports", vpc=vpc, instance_types=["t3.small"], max_capacity=2, host_port_range=(62000, 61000))
    with pytest.raises(ValueError, match="Spot capacity only"):
        Ec2Capacity(stack, "Base", vpc=vpc, instance_types=["t3.small"], max_capacity=2, on_demand_base_capacity=1)
    with pytest.raises(ValueError, match="the GPU AMI does not match arm64=True"):
        Ec2Capacity(
            stack, "ArmGpu", vpc=vpc, instance_types=["g5g.xlarge"], max_capacity=2, arm64=True, hardware=ecs.AmiHardwareType.GPU
        )
    with pytest.raises(ValueError, match="the ARM AMI does not match arm64=False"):
        Ec2Capacity(stack, "X86Arm", vpc=vpc, instance_types=["m5.large"], max_capacity=2, hardware=ecs.AmiHardwareType.ARM)


def test_capacity_agent_settings_pin_the_range_and_drain_spot() -> None:
    settings = Ec2Capacity.agent_settings(host_port_range=(62000, 62999), spot=True)
    assert "echo ECS_DYNAMIC_HOST_PORT_RANGE=62000-62999 >> /etc/ecs/ecs.config" in settings
    assert "echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config" in settings
    assert not any("SPOT" in line for line in Ec2Capacity.agent_settings(host_port_range=(62000, 62999), spot=False))
    gpu = Ec2Capacity.agent_settings(host_port_range=(62000, 62999), spot=False, gpu=True)
    assert "echo ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config" in gpu


def test_cluster_rejects_taken_and_unknown_provider_names(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal", fargate=False)
    with pytest.raises(ValueError, match="unknown capacity provider 'nope'"):
        cluster.strategy([StrategyItem("nope")])
    with pytest.raises(ValueError, match="FARGATE is not enabled"):
        cluster.strategy([StrategyItem("FARGATE")])
    capacity = Ec2Capacity(stack, "Cap", vpc=vpc, instance_types=["t3.small"], max_capacity=1)
    with pytest.raises(ValueError, match="is taken"):
        cluster.add_ec2_capacity("FARGATE", capacity)


def test_task_and_service_reject_impossible_settings(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    with pytest.raises(ValueError, match="Fargate needs awsvpc, not bridge"):
        EcsTask(stack, containers=[_container()], fargate=True, network_mode="bridge", cpu=256, memory_mib=512)
    with pytest.raises(ValueError, match="at least one container"):
        EcsTask(stack, containers=[], fargate=True, cpu=256, memory_mib=512)
    with pytest.raises(ValueError, match="no task can be replaced"):
        EcsService(
            stack,
            "Stuck",
            cluster=cluster.cluster,
            vpc=vpc,
            containers=[_container()],
            fargate=True,
            cpu=256,
            memory_mib=512,
            deployment=DeploymentSpec(min_healthy_percent=100, max_healthy_percent=100),
        )


def test_task_rejects_container_settings_ecs_would_refuse_at_deploy(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    healthy = ecs.ContainerDependencyCondition.HEALTHY
    success = ecs.ContainerDependencyCondition.SUCCESS
    sidecar = ContainerSpec(name="side", image=ecs.ContainerImage.from_registry("busybox"), memory_limit_mib=32)
    cases = [
        ([_container(), sidecar], {"depends_on": {"nope": healthy}}, "not another container"),
        ([_container(), sidecar], {"depends_on": {"side": healthy}}, "has no health check"),
        ([_container(), sidecar], {"depends_on": {"side": success}}, "it is essential"),
        ([_container()], {"dns_servers": ["10.0.0.2"]}, "not supported in awsvpc mode"),
        ([_container()], {"linux": LinuxOptions(shared_memory_mib=64)}, "not supported on Fargate"),
        ([_container()], {"linux": LinuxOptions(capabilities_add=[ecs.Capability.NET_ADMIN])}, "only SYS_PTRACE"),
    ]
    for containers, change, message in cases:
        main = dataclasses.replace(containers[0], **change)
        with pytest.raises(ValueError, match=message):
            EcsTask(stack, containers=[main, *containers[1:]], fargate=True, vpc=vpc, cpu=256, memory_mib=512)


def test_task_rejects_volumes_ecs_would_refuse(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    ebs = ecs.ServiceManagedEBSVolumeConfiguration(size=cdk.Size.gibibytes(10))
    mount = ecs.MountPoint(source_volume="nope", container_path="/x", read_only=False)
    cases = [
        ([TaskVolume(name="sock", host_path="/var/run/docker.sock")], [_container()], "host paths exist on EC2 only"),
        ([TaskVolume(name="a", ebs=ebs), TaskVolume(name="b", ebs=ebs)], [_container()], "one EBS volume per task"),
        ([], [dataclasses.replace(_container(), mounts=[mount])], "which is no task volume"),
        (
            [],
            [dataclasses.replace(_container(), volumes_from=[ecs.VolumeFrom(source_container="app", read_only=True)])],
            "no other container",
        ),
    ]
    for volumes, containers, message in cases:
        with pytest.raises(ValueError, match=message):
            EcsTask(stack, containers=containers, fargate=True, vpc=vpc, cpu=256, memory_mib=512, volumes=volumes)


def test_task_wires_dependencies_restart_policy_and_linux_options(stack: cdk.Stack) -> None:
    check = ecs.HealthCheck(command=["CMD", "/ok"])
    side = ContainerSpec(name="side", image=ecs.ContainerImage.from_registry("busybox"), memory_limit_mib=32, health_check=check)
    main = dataclasses.replace(
        _container(),
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


def test_role_policy_refuses_full_access_and_acknowledges_exactly_the_findings_it_causes(stack: cdk.Stack) -> None:
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    with pytest.raises(ValueError, match="every action on every resource"):
        everything = iam.PolicyStatement(actions=["*"], resources=["*"])
        attach_role_policy(role, scope=stack, construct_id="Bad", statements=[everything])
    statements = [
        iam.PolicyStatement(actions=["s3:Get*"], resources=["arn:aws:s3:::bucket/*"]),
        iam.PolicyStatement(actions=["s3:PutObject"], resources=["arn:aws:s3:::bucket/key"]),
    ]
    managed = ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", "arn:aws:iam::111122223333:policy/own"]

    assert granular_rule_ids("AwsSolutions-IAM5", scope=stack, statements=statements, managed_policy_arns=managed) == [
        "AwsSolutions-IAM5[Action::s3:Get*]",
        "AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]",
    ]
    assert granular_rule_ids("AwsSolutions-IAM4", scope=stack, statements=statements, managed_policy_arns=managed) == [
        "AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess]"
    ]
    reason = "the application reads every object of its own bucket"
    attach_role_policy(
        role,
        scope=stack,
        construct_id="Custom",
        statements=statements,
        managed_policy_arns=managed,
        acknowledgements=[("AwsSolutions-IAM5", reason), ("AwsSolutions-IAM4", reason)],
    )

    template = assertions.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {"ManagedPolicyArns": managed})
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": [Match.object_like({"Action": action}) for action in ("s3:Get*", "s3:PutObject")]}},
    )
    before = {f.rule_id for f in nag.findings(stack, before_acknowledgement=True) if "IAM" in f.rule_id}
    assert before == {  # the policy and the role trip exactly the granular ids expanded above...
        "AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess]",
        "AwsSolutions-IAM5[Action::s3:Get*]",
        "AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]",
    }
    assert not [f for f in nag.findings(stack) if "IAM" in f.rule_id]  # ...and the acknowledgements silence them


def test_alb_route_needs_a_condition_and_a_valid_priority(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc, access_log_retention=Duration.days(7))
    service = EcsService(
        stack, "Svc", cluster=cluster.cluster, vpc=vpc, containers=[_container()], fargate=True, cpu=256, memory_mib=512
    )
    common = {"service": service, "vpc": vpc, "listener": alb.listener, "load_balancer_security_group": alb.security_group}
    with pytest.raises(ValueError, match="give a path, a host, or both"):
        AlbRoute(stack, "NoCondition", priority=10, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="priority must be 1-50000"):
        AlbRoute(stack, "BadPriority", priority=0, path="/*", **common)  # type: ignore[arg-type]


def test_grant_vocabulary_rejects_unknown_intents_and_missing_resources(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="unknown grant intent 's3-admin'"):
        grant_statements(TaskGrant(intent="s3-admin", resource="arn:aws:s3:::b"), scope=stack)
    with pytest.raises(ValueError, match="sqs-send needs a resource ARN"):
        grant_statements(TaskGrant(intent="sqs-send"), scope=stack)
    write_only = grant_statements(TaskGrant(intent="s3-write", resource="arn:aws:s3:::b", prefix="in"), scope=stack)
    assert [s.to_statement_json()["Resource"] for s in write_only] == ["arn:aws:s3:::b/in/*"]


def test_acknowledge_refuses_an_empty_or_vague_reason(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="specific reason"):
        acknowledge(stack, "AwsSolutions-IAM5", "because")
    with pytest.raises(ValueError, match="rule id is required"):
        acknowledge(stack, " ", "a long enough reason for the check")


def test_readme_reference_matches_the_models() -> None:
    from ecs_toolkit.config.reference import END, START, render

    readme = Path(ROOT / "README.md").read_text()
    block = readme.split(START, 1)[1].split(END, 1)[0]
    assert block == f"\n{render()}", "README manifest reference is stale: run `make docs`"


def test_an_ec2_awsvpc_task_gets_aws_region_from_cdk_and_no_unacknowledged_env_finding(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    EcsTask(stack, containers=[_container()], fargate=False, network_mode="awsvpc", cpu=256, memory_mib=512, vpc=vpc)
    (definition,) = assertions.Template.from_stack(stack).find_resources("AWS::ECS::TaskDefinition").values()
    assert definition["Properties"]["ContainerDefinitions"][0]["Environment"] == [
        {"Name": "AWS_REGION", "Value": {"Ref": "AWS::Region"}}
    ]
    assert not [finding for finding in nag.findings(stack) if finding.rule_id == "AwsSolutions-ECS2"]
