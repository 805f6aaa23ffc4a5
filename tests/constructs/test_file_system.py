"""SharedFileSystem and EfsMount: encrypted EFS, TLS and IAM only, one access point per mount."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import EcsCluster, EcsService, EfsMount, ExistingFileSystem, SharedFileSystem
from tests.constructs.conftest import Example, container


def test_defaults_encrypted_elastic_backed_up_with_infrequent_access_after_30_days(example: Example) -> None:
    example.template.has_resource_properties(
        "AWS::EFS::FileSystem",
        {
            "Encrypted": True,
            "ThroughputMode": "elastic",
            "PerformanceMode": "generalPurpose",
            "BackupPolicy": {"Status": "ENABLED"},
            "LifecyclePolicies": [{"TransitionToIA": "AFTER_30_DAYS"}],
            "FileSystemPolicy": Match.object_like(
                {"Statement": Match.array_with([Match.object_like({"Sid": "DenyUnencryptedTransport", "Effect": "Deny"})])}
            ),
        },
    )
    example.template.resource_count_is("AWS::EFS::MountTarget", 2)


def test_the_mount_uses_its_own_access_point_tls_and_iam_and_opens_nfs_from_the_tasks(example: Example) -> None:
    example.template.has_resource_properties(
        "AWS::EFS::AccessPoint",
        {
            "RootDirectory": {"Path": "/api", "CreationInfo": {"OwnerUid": "1000", "OwnerGid": "1000", "Permissions": "750"}},
            "PosixUser": {"Uid": "1000", "Gid": "1000"},
        },
    )
    example.template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "Volumes": [
                {
                    "Name": "files",
                    "EFSVolumeConfiguration": Match.object_like(
                        {"TransitEncryption": "ENABLED", "AuthorizationConfig": Match.object_like({"IAM": "ENABLED"})}
                    ),
                }
            ],
            "ContainerDefinitions": [
                Match.object_like(
                    {"Name": "api", "MountPoints": [{"ContainerPath": "/data", "SourceVolume": "files", "ReadOnly": False}]}
                )
            ],
        },
    )
    files_group = example.logical_id(example.built.files.security_group)
    api_group = example.logical_id(example.built.api.security_group)
    example.template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": {"Fn::GetAtt": [files_group, "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [api_group, "GroupId"]},
            "FromPort": 2049,
            "ToPort": 2049,
        },
    )


def test_file_system_rejects_throughput_without_its_mode_and_unknown_lifecycle_days(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    with pytest.raises(ValueError, match="provisioned throughput goes with throughput_mode provisioned, and only then"):
        SharedFileSystem(stack, "Mode", vpc=vpc, throughput_mode="provisioned")
    with pytest.raises(ValueError, match="provisioned throughput goes with throughput_mode provisioned, and only then"):
        SharedFileSystem(stack, "Mibps", vpc=vpc, provisioned_throughput_mibps=10)
    with pytest.raises(ValueError, match="no lifecycle policy for 45 days"):
        SharedFileSystem(stack, "Days", vpc=vpc, infrequent_access_after_days=45)


def test_mount_rejects_relative_paths(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    service = EcsService(
        stack, "Svc", cluster=cluster.cluster, vpc=vpc, containers=[container()], fargate=True, cpu=256, memory_mib=512
    )
    files = SharedFileSystem(stack, "Files", vpc=vpc)
    common = {
        "service": service,
        "file_system": files.file_system,
        "file_system_arn": files.arn,
        "file_system_security_group": files.security_group,
        "volume_name": "v",
    }
    with pytest.raises(ValueError, match="container path 'data' is not absolute"):
        EfsMount(stack, "Container", container_path="data", root_directory="/x", **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="root directory 'x' is not absolute"):
        EfsMount(stack, "Root", container_path="/data", root_directory="x", **common)  # type: ignore[arg-type]


def _mount_existing(stack: cdk.Stack, vpc: ec2.IVpc, security_group_id: str | None) -> ExistingFileSystem:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    service = EcsService(
        stack, "Svc", cluster=cluster.cluster, vpc=vpc, containers=[container()], fargate=True, cpu=256, memory_mib=512
    )
    existing = ExistingFileSystem(stack, "Media", file_system_id="fs-0123456789abcdef0", security_group_id=security_group_id)
    EfsMount(
        stack,
        "Mount",
        service=service,
        file_system=existing.file_system,
        file_system_arn=existing.arn,
        file_system_security_group=existing.security_group,
        container_path="/srv/media",
        root_directory="/svc",
        read_only=True,
        volume_name="media",
    )
    return existing


def test_an_existing_file_system_is_mounted_by_id_and_its_group_admits_nfs_from_the_tasks(
    stack: cdk.Stack, vpc: ec2.IVpc
) -> None:
    _mount_existing(stack, vpc, "sg-0123456789abcdef0")

    template = cdk.assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::EFS::FileSystem", 0)
    template.has_resource_properties("AWS::EFS::AccessPoint", {"FileSystemId": "fs-0123456789abcdef0"})
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "Volumes": [
                {
                    "Name": "media",
                    "EFSVolumeConfiguration": Match.object_like(
                        {"FilesystemId": "fs-0123456789abcdef0", "TransitEncryption": "ENABLED"}
                    ),
                }
            ]
        },
    )
    (rule,) = template.find_resources("AWS::EC2::SecurityGroupIngress", {"Properties": {"FromPort": 2049}}).values()
    assert rule["Properties"]["GroupId"] == "sg-0123456789abcdef0" and rule["Properties"]["ToPort"] == 2049
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "elasticfilesystem:ClientMount",
                                "Resource": {
                                    "Fn::Join": Match.array_with([Match.array_with([":file-system/fs-0123456789abcdef0"])])
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_an_existing_file_system_without_its_group_changes_nothing_outside_the_stack(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    existing = _mount_existing(stack, vpc, None)
    existing.allow_clients([ec2.SecurityGroup(stack, "Instances", vpc=vpc)])

    template = cdk.assertions.Template.from_stack(stack)
    assert not template.find_resources("AWS::EC2::SecurityGroupIngress", {"Properties": {"FromPort": 2049}})
    assert "AWS::NoValue" not in str(template.to_json())
    assert existing.security_group is None


def test_an_existing_file_system_needs_real_ids(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"'fsap-0123' is not a file system id \(fs-\.\.\.\)"):
        ExistingFileSystem(stack, "Ap", file_system_id="fsap-0123")
    with pytest.raises(ValueError, match=r"'group-1' is not a security group id \(sg-\.\.\.\)"):
        ExistingFileSystem(stack, "Sg", file_system_id="fs-0123456789abcdef0", security_group_id="group-1")
