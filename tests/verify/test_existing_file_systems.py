"""An existing EFS file system (a literal fs- id in the task definition) and env files, on hand-built templates."""

from __future__ import annotations

from typing import Any

from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.verify import Finding, verify
from ecs_toolkit.verify.findings import ASSUMED, CLOSED, OPEN
from tests.verify.templates import ENV, SERVICE, assembly, att, config, platform, service

FS = "fs-0123456789abcdef0"
SG = "sg-0123456789abcdef0"
FS_ARN = f"arn:${{AWS::Partition}}:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/{FS}"


def _config(security_group_id: str | None) -> EnvironmentConfig:
    body = {"kind": "web", "image": "nginx", "port": 8080, "cpu": 256, "memory_mib": 512, "route": {"path": "/*"}}
    existing = {"id": FS} if security_group_id is None else {"id": FS, "security_group_id": security_group_id}
    return EnvironmentConfig.model_validate(
        {
            "name": ENV,
            "load_balancer": {},
            "file_systems": {"media": {"existing": existing}},
            "services": {"app": {**body, "volumes": {"media": "/srv/media"}}},
        }
    )


def _mounting(nfs_rule: bool = True, client_mount: bool = True) -> dict[str, Any]:
    template = service()
    resources = template["Resources"]
    resources["TaskDefinition"]["Properties"]["Volumes"] = [
        {
            "Name": "media",
            "EFSVolumeConfiguration": {
                "FilesystemId": FS,
                "TransitEncryption": "ENABLED",
                "AuthorizationConfig": {"AccessPointId": {"Ref": "AccessPoint"}, "IAM": "ENABLED"},
            },
        }
    ]
    resources["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["MountPoints"] = [
        {"SourceVolume": "media", "ContainerPath": "/srv/media", "ReadOnly": True}
    ]
    resources["AccessPoint"] = {"Type": "AWS::EFS::AccessPoint", "Properties": {"FileSystemId": FS}}
    if nfs_rule:
        resources["NfsFromTasks"] = {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "GroupId": SG,
                "SourceSecurityGroupId": att("TaskGroup"),
                "IpProtocol": "tcp",
                "FromPort": 2049,
                "ToPort": 2049,
            },
        }
    if client_mount:
        resources["TaskPolicy"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "TaskRole"}],
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "elasticfilesystem:ClientMount",
                            "Resource": {
                                "Fn::Join": [
                                    "",
                                    [
                                        "arn:",
                                        {"Ref": "AWS::Partition"},
                                        ":elasticfilesystem:",
                                        {"Ref": "AWS::Region"},
                                        ":",
                                        {"Ref": "AWS::AccountId"},
                                        f":file-system/{FS}",
                                    ],
                                ]
                            },
                        }
                    ]
                },
            },
        }
    return template


def _file_system(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.path, f.status, f.detail) for f in findings if f.category == "file system"]


def test_the_mount_reaches_an_existing_file_system_through_its_named_group() -> None:
    findings = verify(assembly(platform(), _mounting()), _config(SG))

    assert _file_system(findings) == [(f"app -> file system {FS} (existing) (tcp/2049)", OPEN, f"admitted on {SG}")]
    mount = [f for f in findings if f.path == f"app: mount {FS}"]
    assert [(f.status, f.detail) for f in mount] == [(OPEN, "the task role may elasticfilesystem:ClientMount")]
    assert not [f for f in findings if f.failed]


def test_without_the_nfs_rule_the_existing_file_system_is_closed() -> None:
    findings = verify(assembly(platform(), _mounting(nfs_rule=False)), _config(SG))

    assert _file_system(findings) == [
        (
            f"app -> file system {FS} (existing) (tcp/2049)",
            CLOSED,
            f"no ingress rule on {SG} admits {SERVICE}/TaskGroup on tcp/2049",
        )
    ]


def test_without_a_group_in_the_manifest_the_path_is_assumed() -> None:
    findings = verify(assembly(platform(), _mounting(nfs_rule=False)), _config(None))

    assert _file_system(findings) == [
        (
            f"app -> file system {FS} (existing)",
            ASSUMED,
            "its mount targets and their security groups are outside these templates: they must admit tcp/2049 from "
            f"{SERVICE}/TaskGroup",
        )
    ]


def test_templates_alone_take_the_literal_group_that_admits_the_tasks_on_nfs() -> None:
    findings = verify(assembly(platform(), _mounting()))

    assert _file_system(findings) == [(f"{SERVICE}/Service -> file system {FS} (existing) (tcp/2049)", OPEN, f"admitted on {SG}")]
    assert not [f for f in findings if f.category == "exposure"]


def test_a_task_role_without_client_mount_is_closed() -> None:
    findings = verify(assembly(platform(), _mounting(client_mount=False)), _config(SG))

    (mount,) = [f for f in findings if f.path == f"app: mount {FS}"]
    assert (mount.status, mount.detail) == (CLOSED, f"the task role may not: elasticfilesystem:ClientMount on {FS_ARN}")


def test_env_files_need_get_object_on_the_object_and_the_buckets_location() -> None:
    template = service()
    resources = template["Resources"]
    arn = "arn:aws:s3:::config-bucket/app/prod.env"
    resources["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["EnvironmentFiles"] = [{"Type": "s3", "Value": arn}]
    resources["ExecutionPolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "Roles": [{"Ref": "ExecutionRole"}],
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": arn}]},
        },
    }

    (env_file,) = [f for f in verify(assembly(platform(), template), config()) if f.path == "app: env file prod.env"]
    assert (env_file.status, env_file.detail) == (
        CLOSED,
        "the execution role may not: s3:GetBucketLocation on arn:aws:s3:::config-bucket",
    )
