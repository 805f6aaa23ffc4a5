"""The shop example (config/examples/fargate-only.yaml): an existing file system, env files, ephemeral storage
and FireLens log routing, as the stacks build them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.data import fluent_bit_image
from tests.conftest import ROOT, Synthesized, synthesize

FS = "fs-0a1b2c3d4e5f60718"
SG = "sg-0a1b2c3d4e5f60718"


@pytest.fixture(scope="module")
def shop() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "fargate-only.yaml")


def _resources(shop: Synthesized, service: str, kind: str) -> list[dict[str, Any]]:
    template = shop.template_json(f"shop-{service}")
    return [r for r in template["Resources"].values() if r["Type"] == kind]  # type: ignore[attr-defined]


def _containers(shop: Synthesized, service: str) -> dict[str, dict[str, Any]]:
    (definition,) = _resources(shop, service, "AWS::ECS::TaskDefinition")
    return {c["Name"]: c for c in definition["Properties"]["ContainerDefinitions"]}


def _statements(shop: Synthesized, service: str, role: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in _resources(shop, service, "AWS::IAM::Policy")
        if any(role in str(r) for r in policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_existing_file_system_is_mounted_by_id_and_nothing_of_it_is_created(shop: Synthesized) -> None:
    assert not _resources(shop, "platform", "AWS::EFS::FileSystem")
    (access_point,) = _resources(shop, "ledger", "AWS::EFS::AccessPoint")
    assert access_point["Properties"]["FileSystemId"] == FS
    (definition,) = _resources(shop, "ledger", "AWS::ECS::TaskDefinition")
    (volume,) = [v for v in definition["Properties"]["Volumes"] if v["Name"] == "media"]
    assert volume["EFSVolumeConfiguration"]["FilesystemId"] == FS
    assert volume["EFSVolumeConfiguration"]["TransitEncryption"] == "ENABLED"
    assert volume["EFSVolumeConfiguration"]["AuthorizationConfig"]["IAM"] == "ENABLED"


def test_the_only_change_to_the_existing_file_system_is_one_nfs_rule_on_its_group(shop: Synthesized) -> None:
    foreign = [
        (stack.stack_name, rule["Properties"])
        for stack in shop.assembly.stacks
        for rule in stack.template["Resources"].values()
        if rule["Type"] == "AWS::EC2::SecurityGroupIngress" and rule["Properties"].get("GroupId") == SG
    ]
    assert [(name, props["IpProtocol"], props["FromPort"], props["ToPort"]) for name, props in foreign] == [
        ("shop-ledger", "tcp", 2049, 2049)
    ]
    source = foreign[0][1]["SourceSecurityGroupId"]["Fn::GetAtt"]
    assert source[0].startswith("ServiceSecurityGroup") and source[1] == "GroupId"  # the ledger tasks' own group


def test_the_task_role_may_mount_exactly_the_existing_file_system_read_only(shop: Synthesized) -> None:
    mounts = [s for s in _statements(shop, "ledger", "TaskRole") if "elasticfilesystem" in str(s["Action"])]
    assert [(s["Action"], s["Resource"]) for s in mounts] == [
        ("elasticfilesystem:ClientMount", f"arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/{FS}")
    ]


def test_env_files_are_read_by_the_execution_role_object_by_object(shop: Synthesized) -> None:
    containers = _containers(shop, "storefront")
    (local,) = containers["storefront"]["EnvironmentFiles"]
    assert local["Value"].startswith("arn:aws:s3:::cdk-hnb659fds-assets-111122223333-eu-west-1/")
    assert containers["metrics"]["EnvironmentFiles"] == [
        {"Type": "s3", "Value": "arn:aws:s3:::shop-config-111122223333/otel/collector.env"}
    ]
    s3 = [s for s in _statements(shop, "storefront", "ExecutionRole") if str(s["Action"]).startswith("s3:")]
    assert s3 == [
        {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Resource": [local["Value"], "arn:aws:s3:::shop-config-111122223333/otel/collector.env"],
        },
        {
            "Action": "s3:GetBucketLocation",
            "Effect": "Allow",
            "Resource": ["arn:aws:s3:::cdk-hnb659fds-assets-111122223333-eu-west-1", "arn:aws:s3:::shop-config-111122223333"],
        },
    ]


def test_a_local_env_file_is_staged_as_an_asset_at_synth(shop: Synthesized) -> None:
    (local,) = _containers(shop, "storefront")["storefront"]["EnvironmentFiles"]
    key = local["Value"].rsplit("/", 1)[1]
    staged = Path(shop.assembly.directory) / f"asset.{key}"
    source = ROOT / "config" / "examples" / "env" / "storefront.env"
    assert staged.read_text() == source.read_text()


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
