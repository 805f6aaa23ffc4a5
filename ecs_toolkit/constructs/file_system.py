"""EFS for ECS tasks: an encrypted file system, and per-service access points that just mount.

The usual failures of EFS on ECS are a closed port 2049, a task role without
``elasticfilesystem:ClientMount``, a root directory the container user cannot write, and a first
deploy that races the mount targets. ``EfsMount`` wires all four from one call.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from ecs_toolkit.constructs.service import EcsService

NFS = ec2.Port.tcp(2049)
PERFORMANCE = {"general_purpose": efs.PerformanceMode.GENERAL_PURPOSE, "max_io": efs.PerformanceMode.MAX_IO}
THROUGHPUT = {
    "bursting": efs.ThroughputMode.BURSTING,
    "elastic": efs.ThroughputMode.ELASTIC,
    "provisioned": efs.ThroughputMode.PROVISIONED,
}
INFREQUENT_ACCESS = {
    1: efs.LifecyclePolicy.AFTER_1_DAY,
    7: efs.LifecyclePolicy.AFTER_7_DAYS,
    14: efs.LifecyclePolicy.AFTER_14_DAYS,
    30: efs.LifecyclePolicy.AFTER_30_DAYS,
    60: efs.LifecyclePolicy.AFTER_60_DAYS,
    90: efs.LifecyclePolicy.AFTER_90_DAYS,
    180: efs.LifecyclePolicy.AFTER_180_DAYS,
    270: efs.LifecyclePolicy.AFTER_270_DAYS,
    365: efs.LifecyclePolicy.AFTER_365_DAYS,
}


class SharedFileSystem(Construct):
    """An encrypted EFS file system with mount targets in the private subnets.

    Its security group admits nothing until a mounting task or instance group is allowed with
    ``allow_clients``. Clients must use TLS and IAM (the file system policy denies anonymous access).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None = None,
        kms_key_arn: str | None = None,
        performance_mode: str = "general_purpose",
        throughput_mode: str = "elastic",
        provisioned_throughput_mibps: int | None = None,
        infrequent_access_after_days: int | None = 30,
        backups: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if (throughput_mode == "provisioned") != (provisioned_throughput_mibps is not None):
            raise ValueError("SharedFileSystem: provisioned throughput goes with throughput_mode provisioned, and only then")
        if infrequent_access_after_days is not None and infrequent_access_after_days not in INFREQUENT_ACCESS:
            raise ValueError(f"SharedFileSystem: no lifecycle policy for {infrequent_access_after_days} days")
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, description="EFS mount targets", allow_all_outbound=False
        )
        self.file_system = efs.FileSystem(
            self,
            "FileSystem",
            vpc=vpc,
            vpc_subnets=subnets,
            security_group=self.security_group,
            encrypted=True,
            kms_key=kms.Key.from_key_arn(self, "Key", kms_key_arn) if kms_key_arn else None,
            performance_mode=PERFORMANCE[performance_mode],
            throughput_mode=THROUGHPUT[throughput_mode],
            provisioned_throughput_per_second=cdk.Size.mebibytes(provisioned_throughput_mibps)
            if provisioned_throughput_mibps
            else None,
            lifecycle_policy=INFREQUENT_ACCESS[infrequent_access_after_days] if infrequent_access_after_days else None,
            enable_automatic_backups=backups,
            removal_policy=removal_policy,
        )
        self.file_system.add_to_resource_policy(
            iam.PolicyStatement(
                sid="DenyUnencryptedTransport",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["*"],
                resources=["*"],
                conditions={"Bool": {"aws:SecureTransport": "false"}},
            )
        )

    @property
    def arn(self) -> str:
        """The file system's ARN, built from its id (equivalent to GetAtt Arn on AWS)."""
        return cdk.Stack.of(self).format_arn(
            service="elasticfilesystem", resource="file-system", resource_name=self.file_system.file_system_id
        )

    def allow_clients(self, clients: Sequence[ec2.ISecurityGroup]) -> None:
        """Admit NFS from these security groups (the instance groups of bridge/host-mode services)."""
        for client in clients:
            self.security_group.connections.allow_from(client, NFS, "NFS from mounting instances")


class ExistingFileSystem(Construct):
    """An EFS file system made elsewhere, imported by id (no lookup), for ``EfsMount``.

    Nothing of it changes except, when ``security_group_id`` names its mount targets' group, one NFS ingress
    rule per mounting client (``allow_clients``, and ``EfsMount`` for awsvpc tasks). Without it the mount
    targets' own groups must already admit the clients.
    """

    def __init__(self, scope: Construct, construct_id: str, *, file_system_id: str, security_group_id: str | None = None) -> None:
        super().__init__(scope, construct_id)
        if not file_system_id.startswith("fs-"):
            raise ValueError(f"ExistingFileSystem: {file_system_id!r} is not a file system id (fs-...)")
        if security_group_id is not None and not security_group_id.startswith("sg-"):
            raise ValueError(f"ExistingFileSystem: {security_group_id!r} is not a security group id (sg-...)")
        self.security_group: ec2.ISecurityGroup | None = (
            ec2.SecurityGroup.from_security_group_id(self, "SecurityGroup", security_group_id, allow_all_outbound=False)
            if security_group_id is not None
            else None
        )
        # CDK's import needs a group for the file system's connections; without one it is "no value", which is
        # never rendered: nothing here opens connections through it.
        group = self.security_group or ec2.SecurityGroup.from_security_group_id(
            self, "UnknownGroup", cdk.Aws.NO_VALUE, mutable=False, allow_all_outbound=False
        )
        self.file_system = efs.FileSystem.from_file_system_attributes(
            self, "FileSystem", file_system_id=file_system_id, security_group=group
        )

    @property
    def arn(self) -> str:
        """The file system's ARN, in this stack's account and region."""
        return cdk.Stack.of(self).format_arn(
            service="elasticfilesystem", resource="file-system", resource_name=self.file_system.file_system_id
        )

    def allow_clients(self, clients: Sequence[ec2.ISecurityGroup]) -> None:
        """Admit NFS from these security groups on the mount targets' group, when it is known."""
        if self.security_group is None:
            return
        for client in clients:
            self.security_group.connections.allow_from(client, NFS, "NFS from mounting instances")


class EfsMount(Construct):
    """Mount a ``SharedFileSystem`` into a service's main container through its own access point.

    The access point's root directory is created owned by ``uid:gid`` with ``permissions``, and
    every access through it acts as that user, so the container can write whatever user it runs as.
    Transit encryption and IAM authorization are on; the task role gets ``ClientMount`` (and
    ``ClientWrite`` unless read-only) on this file system through this access point only. Without
    ``file_system_security_group`` (an existing file system whose group is not given) no NFS rule is added:
    the mount targets must already admit the service's tasks.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: EcsService,
        file_system: efs.IFileSystem,
        file_system_arn: str,
        file_system_security_group: ec2.ISecurityGroup | None,
        container_path: str,
        root_directory: str,
        uid: int = 1000,
        gid: int = 1000,
        permissions: str = "750",
        read_only: bool = False,
        volume_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        if not container_path.startswith("/"):
            raise ValueError(f"EfsMount: container path {container_path!r} is not absolute")
        if not root_directory.startswith("/"):
            raise ValueError(f"EfsMount: root directory {root_directory!r} is not absolute")
        self.access_point = efs.AccessPoint(
            self,
            "AccessPoint",
            file_system=file_system,
            path=root_directory,
            create_acl=efs.Acl(owner_uid=str(uid), owner_gid=str(gid), permissions=permissions),
            posix_user=efs.PosixUser(uid=str(uid), gid=str(gid)),
        )
        service.task_definition.add_volume(
            name=volume_name,
            efs_volume_configuration=cdk.aws_ecs.EfsVolumeConfiguration(
                file_system_id=file_system.file_system_id,
                transit_encryption="ENABLED",
                authorization_config=cdk.aws_ecs.AuthorizationConfig(
                    access_point_id=self.access_point.access_point_id, iam="ENABLED"
                ),
            ),
        )
        container = service.task_definition.find_container(service.main_container_name)
        assert container is not None
        container.add_mount_points(
            cdk.aws_ecs.MountPoint(container_path=container_path, source_volume=volume_name, read_only=read_only)
        )
        actions = (
            ["elasticfilesystem:ClientMount"] if read_only else ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
        )
        service.task_definition.task_role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=actions,
                resources=[file_system_arn],
                conditions={"StringEquals": {"elasticfilesystem:AccessPointArn": self.access_point.access_point_arn}},
            )
        )
        if service.security_group is not None and file_system_security_group is not None:
            # Declared here (the service's stack): a rule made through the file system's group would
            # land in the platform stack and point back at this stack, a cycle.
            ec2.CfnSecurityGroupIngress(
                self,
                "NfsFromTasks",
                group_id=file_system_security_group.security_group_id,
                source_security_group_id=service.security_group.security_group_id,
                ip_protocol="tcp",
                from_port=2049,
                to_port=2049,
                description="NFS from the service's tasks",
            )
        service.service.node.add_dependency(file_system.mount_targets_available)
