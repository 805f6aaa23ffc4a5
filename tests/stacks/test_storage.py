"""EFS on the default manifest: one file system, mounted by an EC2 bridge service and a Fargate service."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match

from tests.conftest import Synthesized


def test_file_system_is_encrypted_backed_up_and_denies_plain_transport(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.has_resource_properties(
        "AWS::EFS::FileSystem",
        {
            "Encrypted": True,
            "ThroughputMode": "elastic",
            "BackupPolicy": {"Status": "ENABLED"},
            "LifecyclePolicies": [{"TransitionToIA": "AFTER_30_DAYS"}],
            "FileSystemPolicy": Match.object_like(
                {
                    "Statement": Match.array_with(
                        [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                    )
                }
            ),
        },
    )
    template.resource_count_is("AWS::EFS::MountTarget", 2)


def test_each_service_gets_its_own_access_point_owned_by_its_user(default_env: Synthesized) -> None:
    for name in ("web", "api"):
        template = default_env.template(default_env.environment.services[name])
        template.has_resource_properties(
            "AWS::EFS::AccessPoint",
            {
                "PosixUser": {"Uid": "101", "Gid": "101"},
                "RootDirectory": {"Path": "/site", "CreationInfo": {"OwnerUid": "101", "OwnerGid": "101", "Permissions": "750"}},
            },
        )


def test_volumes_use_transit_encryption_and_iam_authorization(default_env: Synthesized) -> None:
    for name, read_only in (("web", True), ("api", False)):
        template = default_env.template(default_env.environment.services[name])
        template.has_resource_properties(
            "AWS::ECS::TaskDefinition",
            {
                "Volumes": [
                    {
                        "Name": "shared",
                        "EFSVolumeConfiguration": Match.object_like(
                            {"TransitEncryption": "ENABLED", "AuthorizationConfig": Match.object_like({"IAM": "ENABLED"})}
                        ),
                    }
                ],
                "ContainerDefinitions": Match.array_with(
                    [Match.object_like({"MountPoints": [Match.object_like({"SourceVolume": "shared", "ReadOnly": read_only})]})]
                ),
            },
        )


def test_task_role_may_mount_only_through_its_access_point_and_write_only_when_read_write(default_env: Synthesized) -> None:
    for name, actions in (
        ("web", "elasticfilesystem:ClientMount"),
        ("api", ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]),
    ):
        template = default_env.template(default_env.environment.services[name]).to_json()
        statements = [
            s
            for k, r in template["Resources"].items()
            if r["Type"] == "AWS::IAM::Policy" and "TaskRole" in k
            for s in r["Properties"]["PolicyDocument"]["Statement"]
        ]
        efs = [s for s in statements if "elasticfilesystem" in json.dumps(s["Action"])]
        assert len(efs) == 1
        assert efs[0]["Action"] == actions
        assert "file-system/" in json.dumps(efs[0]["Resource"])
        assert "AccessPoint" in json.dumps(efs[0]["Condition"]["StringEquals"]["elasticfilesystem:AccessPointArn"])


def test_nfs_is_admitted_only_from_the_mounting_tasks_and_instances(default_env: Synthesized) -> None:
    api = default_env.template(default_env.environment.services["api"])
    api.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "FromPort": 2049,
            "ToPort": 2049,
            "GroupId": {"Fn::ImportValue": Match.string_like_regexp("FileSystemshared")},
            "SourceSecurityGroupId": {"Fn::GetAtt": [Match.string_like_regexp("ServiceSecurityGroup"), "GroupId"]},
        },
    )
    platform = default_env.template(default_env.environment.platform).to_json()
    nfs = [
        r["Properties"]
        for r in platform["Resources"].values()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress" and r["Properties"].get("FromPort") == 2049
    ]
    sources = sorted(json.dumps(rule["SourceSecurityGroupId"]) for rule in nfs)
    assert len(nfs) == 2 and "Ec2Groupondemand" in sources[0] and "Ec2Groupspot" in sources[1]


def test_services_wait_for_the_mount_targets(default_env: Synthesized) -> None:
    for name in ("web", "api"):
        stack = default_env.environment.services[name]
        assert default_env.environment.platform in stack.dependencies


def test_grants_compile_to_the_narrowest_statements(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["api"])
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                        "Effect": "Allow",
                        "Resource": "arn:aws:s3:::demo-uploads/api/*",
                    },
                    {
                        "Action": "s3:ListBucket",
                        "Condition": {"StringLike": {"s3:prefix": ["api/*"]}},
                        "Effect": "Allow",
                        "Resource": "arn:aws:s3:::demo-uploads",
                    },
                    Match.object_like({"Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]}),
                ],
                "Version": "2012-10-17",
            }
        },
    )
