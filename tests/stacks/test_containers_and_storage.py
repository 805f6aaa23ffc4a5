"""The shipped examples as the stacks build them: an existing file system mounted by a bridge service
(config/examples/ec2-only.yaml), env files, ephemeral storage and FireLens log routing
(config/examples/fargate-only.yaml)."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_toolkit.data import fluent_bit_image
from tests.conftest import ROOT, Synthesized, synthesize

FS = "fs-0a1b2c3d4e5f60718"
SG = "sg-0a1b2c3d4e5f60718"


@pytest.fixture(scope="module")
def shop() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "fargate-only.yaml")


@pytest.fixture(scope="module")
def batch() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "ec2-only.yaml")


def _resources(shop: Synthesized, service: str, kind: str, env: str = "shop") -> list[dict[str, Any]]:
    template = shop.template_json(f"{env}-{service}")
    return [r for r in template["Resources"].values() if r["Type"] == kind]  # type: ignore[attr-defined]


def _containers(shop: Synthesized, service: str) -> dict[str, dict[str, Any]]:
    (definition,) = _resources(shop, service, "AWS::ECS::TaskDefinition")
    return {c["Name"]: c for c in definition["Properties"]["ContainerDefinitions"]}


def _statements(shop: Synthesized, service: str, role: str, env: str = "shop") -> list[dict[str, Any]]:
    return [
        statement
        for policy in _resources(shop, service, "AWS::IAM::Policy", env)
        if any(role in str(r) for r in policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_existing_file_system_is_mounted_by_id_and_nothing_of_it_is_created(batch: Synthesized) -> None:
    assert not _resources(batch, "platform", "AWS::EFS::FileSystem", "batch")
    (access_point,) = _resources(batch, "renderer", "AWS::EFS::AccessPoint", "batch")
    assert access_point["Properties"]["FileSystemId"] == FS
    (definition,) = _resources(batch, "renderer", "AWS::ECS::TaskDefinition", "batch")
    (volume,) = [v for v in definition["Properties"]["Volumes"] if v["Name"] == "media"]
    assert volume["EFSVolumeConfiguration"]["FilesystemId"] == FS
    assert volume["EFSVolumeConfiguration"]["TransitEncryption"] == "ENABLED"
    assert volume["EFSVolumeConfiguration"]["AuthorizationConfig"]["IAM"] == "ENABLED"


def test_the_only_change_to_the_existing_file_system_is_one_nfs_rule_per_mounting_instance_group(batch: Synthesized) -> None:
    foreign = [
        (stack.stack_name, rule["Properties"])
        for stack in batch.assembly.stacks
        for rule in stack.template["Resources"].values()
        if rule["Type"] == "AWS::EC2::SecurityGroupIngress" and rule["Properties"].get("GroupId") == SG
    ]
    # the renderer (bridge) mounts through the instances of its strategy's groups: general and spot
    assert sorted((name, props["IpProtocol"], props["FromPort"], props["ToPort"]) for name, props in foreign) == [
        ("batch-platform", "tcp", 2049, 2049),
        ("batch-platform", "tcp", 2049, 2049),
    ]
    sources = sorted(str(props["SourceSecurityGroupId"]["Fn::GetAtt"][0]) for _, props in foreign)
    assert [source.startswith(("Ec2Groupgeneral", "Ec2Groupspot")) for source in sources] == [True, True]
    assert sources[0].startswith("Ec2Groupgeneral") and sources[1].startswith("Ec2Groupspot")


def test_the_task_role_may_mount_exactly_the_existing_file_system_read_only(batch: Synthesized) -> None:
    mounts = [s for s in _statements(batch, "renderer", "TaskRole", "batch") if "elasticfilesystem" in str(s["Action"])]
    assert len(mounts) == 1 and mounts[0]["Action"] == "elasticfilesystem:ClientMount"
    assert str(mounts[0]["Resource"]).endswith(f":file-system/{FS}']]}}")


def test_env_files_are_read_by_the_execution_role_object_by_object(shop: Synthesized) -> None:
    containers = _containers(shop, "storefront")
    assert containers["storefront"]["EnvironmentFiles"] == [
        {"Type": "s3", "Value": "arn:aws:s3:::shop-config-111122223333/storefront/prod.env"}
    ]
    assert containers["metrics"]["EnvironmentFiles"] == [
        {"Type": "s3", "Value": "arn:aws:s3:::shop-config-111122223333/otel/collector.env"}
    ]
    s3 = [s for s in _statements(shop, "storefront", "ExecutionRole") if str(s["Action"]).startswith("s3:")]
    assert s3 == [
        {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Resource": [  # CDK sorts a statement's resources
                "arn:aws:s3:::shop-config-111122223333/otel/collector.env",
                "arn:aws:s3:::shop-config-111122223333/storefront/prod.env",
            ],
        },
        {"Action": "s3:GetBucketLocation", "Effect": "Allow", "Resource": "arn:aws:s3:::shop-config-111122223333"},
    ]


def test_ephemeral_storage_is_set_on_the_fargate_task(shop: Synthesized) -> None:
    (definition,) = _resources(shop, "checkout", "AWS::ECS::TaskDefinition")
    assert definition["Properties"]["EphemeralStorage"] == {"SizeInGiB": 40}
    (other,) = _resources(shop, "storefront", "AWS::ECS::TaskDefinition")
    assert "EphemeralStorage" not in other["Properties"]


def test_firelens_routes_the_services_logs_to_a_log_group_of_its_stack(shop: Synthesized) -> None:
    containers = _containers(shop, "ledger")
    router, main = containers["log_router"], containers["ledger"]
    assert router["Image"] == fluent_bit_image().image
    assert router["FirelensConfiguration"] == {"Type": "fluentbit", "Options": {"enable-ecs-log-metadata": "true"}}
    assert router["LogConfiguration"]["LogDriver"] == "awslogs"
    assert (router["Memory"], main["Memory"]) == (128, 512 - 128)
    routed = [
        logical_id
        for logical_id, r in shop.template_json("shop-ledger")["Resources"].items()  # type: ignore[attr-defined]
        if r["Type"] == "AWS::Logs::LogGroup" and logical_id.startswith("RoutedLogs")
    ]
    (group,) = routed
    assert main["LogConfiguration"] == {
        "LogDriver": "awsfirelens",
        "Options": {
            "Name": "cloudwatch_logs",
            "log_stream_prefix": "ledger/",
            "log_group_name": {"Ref": group},
            "region": "eu-west-1",
            "auto_create_group": "false",
        },
    }
    writes = [s for s in _statements(shop, "ledger", "TaskRole") if "logs:PutLogEvents" in s["Action"]]
    assert writes == [
        {
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [group, "Arn"]},
        }
    ]
