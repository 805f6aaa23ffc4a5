"""EcsTask and ContainerSpec: a task definition, hardened containers, and the task's own log group."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from ecs_toolkit.checks import nag
from ecs_toolkit.constructs import ContainerSpec, EcsTask, LinuxOptions, LogRouter, RestartPolicy, TaskVolume
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


# --- environment files, ephemeral storage, FireLens ------------------------------------------------


def _task_json(stack: cdk.Stack) -> dict[str, object]:
    resources: dict[str, object] = assertions.Template.from_stack(stack).to_json()["Resources"]
    return resources


def _statements(resources: dict[str, object], role_fragment: str) -> list[dict[str, object]]:
    return [
        statement
        for resource in resources.values()
        if resource["Type"] == "AWS::IAM::Policy"  # type: ignore[index]
        and any(role_fragment in str(role) for role in resource["Properties"]["Roles"])  # type: ignore[index]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[index]
    ]


def test_env_files_are_read_by_the_execution_role_object_by_object(stack: cdk.Stack, vpc: ec2.IVpc, tmp_path) -> None:
    local = tmp_path / "app.env"
    local.write_text("A=1\n")
    bucket = cdk.aws_s3.Bucket.from_bucket_name(stack, "Config", "config-bucket")
    main = dataclasses.replace(
        container(),
        environment_files=[ecs.EnvironmentFile.from_asset(str(local)), ecs.EnvironmentFile.from_bucket(bucket, "app/prod.env")],
    )
    side = _side(environment_files=[ecs.EnvironmentFile.from_bucket(bucket, "side.env")])
    EcsTask(stack, containers=[main, side], fargate=True, vpc=vpc, cpu=256, memory_mib=512)

    resources = _task_json(stack)
    (definition,) = [r for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition"]  # type: ignore[index]
    app, sidecar = definition["Properties"]["ContainerDefinitions"]  # type: ignore[index]
    assert [f["Type"] for f in app["EnvironmentFiles"]] == ["s3", "s3"]
    assert ".env" in str(app["EnvironmentFiles"][0]["Value"])
    assert app["EnvironmentFiles"][1]["Value"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::config-bucket/app/prod.env"]]
    }
    assert sidecar["EnvironmentFiles"] == [
        {"Type": "s3", "Value": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::config-bucket/side.env"]]}}
    ]
    s3 = [s for s in _statements(resources, "ExecutionRole") if str(s["Action"]).startswith("s3:")]
    get_object, bucket_location = s3
    assert get_object["Action"] == "s3:GetObject"
    objects = [str(resource) for resource in get_object["Resource"]]  # type: ignore[attr-defined]
    assert len(objects) == 3 and all(".env" in text for text in objects)
    assert any("config-bucket/app/prod.env" in text for text in objects)
    assert "config-bucket/side.env" in " ".join(objects)
    assert bucket_location["Action"] == "s3:GetBucketLocation"
    assert not [text for text in map(str, bucket_location["Resource"]) if "/" in text.split(":::")[-1]]  # type: ignore[call-overload]
    # A local file is staged as a file asset at synth (hermetic) and uploaded at deploy.
    staged = list(Path(stack.node.root.synth().directory).glob("asset.*.env"))  # type: ignore[attr-defined]
    assert [path.read_text() for path in staged] == ["A=1\n"]


def test_env_files_are_refused_past_ten_or_without_the_env_extension(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    bucket = cdk.aws_s3.Bucket.from_bucket_name(stack, "Config", "config-bucket")
    eleven = [ecs.EnvironmentFile.from_bucket(bucket, f"{i}.env") for i in range(11)]
    with pytest.raises(ValueError, match="'app' has 11 environment files; ECS takes at most 10"):
        EcsTask(
            stack,
            containers=[dataclasses.replace(container(), environment_files=eleven)],
            fargate=True,
            vpc=vpc,
            cpu=256,
            memory_mib=512,
        )
    text = [ecs.EnvironmentFile.from_bucket(bucket, "app.txt")]
    with pytest.raises(ValueError, match=r"environment file 'app.txt' does not end in .env \(ECS loads only .env files\)"):
        EcsTask(
            stack,
            containers=[dataclasses.replace(container(), environment_files=text)],
            fargate=True,
            vpc=vpc,
            cpu=256,
            memory_mib=512,
        )


def test_ephemeral_storage_sizes_a_fargate_task(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    EcsTask(stack, containers=[container()], fargate=True, vpc=vpc, cpu=256, memory_mib=512, ephemeral_storage_gib=64)

    (definition,) = assertions.Template.from_stack(stack).find_resources("AWS::ECS::TaskDefinition").values()
    assert definition["Properties"]["EphemeralStorage"] == {"SizeInGiB": 64}


@pytest.mark.parametrize(
    ("fargate", "size", "message"),
    [
        (False, 40, r"ephemeral storage is a Fargate setting \(EC2 tasks use the instance's disk\)"),
        (True, 20, "ephemeral storage must be 21 to 200 GiB, not 20"),
        (True, 201, "ephemeral storage must be 21 to 200 GiB, not 201"),
    ],
)
def test_ephemeral_storage_is_refused_on_ec2_and_outside_fargates_range(
    stack: cdk.Stack, vpc: ec2.IVpc, fargate: bool, size: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        EcsTask(
            stack,
            containers=[container()],
            fargate=fargate,
            network_mode="awsvpc",
            vpc=vpc,
            cpu=256,
            memory_mib=512,
            ephemeral_storage_gib=size,
        )


def _router(stack: cdk.Stack, **change: object) -> LogRouter:
    group = stack.node.try_find_child("Routed") or cdk.aws_logs.LogGroup(stack, "Routed")
    assert isinstance(group, cdk.aws_logs.LogGroup)
    router = LogRouter(
        image=ecs.ContainerImage.from_registry("public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.14"),
        options={"Name": "cloudwatch_logs", "log_group_name": group.log_group_name, "region": "eu-west-1"},
        log_group=group,
        memory_limit_mib=64,
    )
    return dataclasses.replace(router, **change)


def test_a_log_router_takes_every_containers_logs_and_writes_only_its_own_group(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    spec = _router(stack, config_file="/fluent-bit/configs/parse-json.conf")
    EcsTask(stack, containers=[container(), _side()], fargate=True, vpc=vpc, cpu=256, memory_mib=512, log_router=spec)

    resources = _task_json(stack)
    (definition,) = [r for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition"]  # type: ignore[index]
    by_name = {c["Name"]: c for c in definition["Properties"]["ContainerDefinitions"]}  # type: ignore[index]
    router = by_name["log_router"]
    assert router["FirelensConfiguration"] == {
        "Type": "fluentbit",
        "Options": {
            "enable-ecs-log-metadata": "true",
            "config-file-type": "file",
            "config-file-value": "/fluent-bit/configs/parse-json.conf",
        },
    }
    assert router["LogConfiguration"]["LogDriver"] == "awslogs"
    assert router["ReadonlyRootFilesystem"] is True and router["Memory"] == 64 and "User" not in router
    assert router["MountPoints"] == [{"ContainerPath": "/tmp", "ReadOnly": False, "SourceVolume": "log_router-scratch-0"}]
    assert {"Name": "log_router-scratch-0"} in definition["Properties"]["Volumes"]  # type: ignore[index]
    for name in ("app", "side"):
        assert {"ContainerName": "log_router", "Condition": "START"} in by_name[name]["DependsOn"]
        assert by_name[name]["LogConfiguration"]["LogDriver"] == "awsfirelens"
        assert by_name[name]["LogConfiguration"]["Options"]["Name"] == "cloudwatch_logs"
    logs_statements = [s for s in _statements(resources, "TaskRole") if "logs:PutLogEvents" in s["Action"]]  # type: ignore[operator]
    assert logs_statements == [
        {
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [stack.resolve(spec.log_group.node.default_child.logical_id), "Arn"]},  # type: ignore[union-attr]
        }
    ]


def test_a_log_router_is_refused_when_its_settings_cannot_work(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    def task(router: LogRouter, containers: list[ContainerSpec] | None = None) -> None:
        EcsTask(stack, containers=containers or [container()], fargate=True, vpc=vpc, cpu=256, memory_mib=512, log_router=router)

    with pytest.raises(ValueError, match=r"the log router's options need Name \(the Fluent Bit output\)"):
        task(_router(stack, options={"region": "eu-west-1"}, log_group=None))
    secret = ecs.Secret.from_ssm_parameter(
        cdk.aws_ssm.StringParameter.from_string_parameter_name(stack, "Region", "/router/region")
    )
    with pytest.raises(ValueError, match=r"log router options \['Name'\] are given both plainly and as secrets"):
        task(_router(stack, secret_options={"Name": secret}, log_group=None))
    with pytest.raises(ValueError, match=r"the log router's config file 'parse\.conf' is not an absolute path in its image"):
        task(_router(stack, config_file="parse.conf", log_group=None))
    with pytest.raises(ValueError, match=r"the log router's writable paths must be absolute, got \['tmp'\]"):
        task(_router(stack, writable_paths=["tmp"], log_group=None))
    with pytest.raises(ValueError, match="volume names starting with log_router-scratch- are the log router's"):
        EcsTask(
            stack,
            containers=[container()],
            fargate=True,
            vpc=vpc,
            cpu=256,
            memory_mib=512,
            volumes=[TaskVolume(name="log_router-scratch-0")],
            log_router=_router(stack, log_group=None),
        )
    with pytest.raises(ValueError, match="'log_router' is the log router's name: name the container differently"):
        task(_router(stack, log_group=None), [container(name="log_router")])
