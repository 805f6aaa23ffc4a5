"""File system rules, and the volumes services mount from them."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import ContainerSettings, EbsVolumeConfig, EnvironmentConfig, ServiceConfig, VolumeConfig
from ecs_toolkit.config.rules.common import Finding, Location, did_you_mean
from ecs_toolkit.data import ebs_volume_types

CREATED_ONLY = (
    "kms_key_arn",
    "performance_mode",
    "throughput_mode",
    "provisioned_throughput_mibps",
    "infrequent_access_after_days",
    "backups",
    "removal",
)
"""File system settings the toolkit applies when it creates the file system: an existing one keeps its own."""


def check_file_systems(config: EnvironmentConfig) -> Iterator[Finding]:
    for name, fs in config.file_systems.items():
        where: Location = ("file_systems", name)
        if fs.existing is not None:
            for field in CREATED_ONLY:
                if field in fs.model_fields_set:
                    yield (
                        (*where, field),
                        "applies to a file system the toolkit creates, not to an existing one "
                        "(change it where the file system is managed, or remove it here)",
                    )
            continue
        if (fs.throughput_mode == "provisioned") != (fs.provisioned_throughput_mibps is not None):
            yield (*where, "provisioned_throughput_mibps"), "is required with throughput_mode provisioned, and only then"
        if fs.performance_mode == "max_io" and fs.throughput_mode == "elastic":
            yield (*where, "performance_mode"), "max_io does not support elastic throughput: use bursting or provisioned"


def check_volumes(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    paths: dict[str, str] = {}
    for fs_name, volume in service.volumes.items():
        spec = volume if isinstance(volume, VolumeConfig) else VolumeConfig(path=volume)
        location: Location = (*where, "volumes", fs_name)
        if fs_name not in config.file_systems:
            hint = did_you_mean(fs_name, config.file_systems)
            yield location, f"file system {fs_name!r} is not defined under file_systems{hint}"
        if not spec.path.startswith("/"):
            yield location, f"mount path {spec.path!r} is not absolute"
        elif spec.path in paths:
            yield location, f"mount path {spec.path} is already used by file system {paths[spec.path]!r}"
        paths[spec.path] = fs_name


def check_task_volumes(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """Task-local, host-path and EBS volumes against the launch type and kind, and every container's mounts."""
    launch = derived.launch_of(config, service)
    ebs_volumes = [name for name, volume in service.task_volumes.items() if volume.ebs is not None]
    for name, volume in service.task_volumes.items():
        at: Location = (*where, "task_volumes", name)
        if name in service.volumes:
            yield at, f"the name {name!r} is already a file system under volumes: name the task volume differently"
        if volume.host_path is not None and volume.ebs is not None:
            yield at, "give host_path or ebs, not both"
        if volume.host_path is not None and launch == "fargate":
            yield (
                (*at, "host_path"),
                "host paths exist on EC2 only: drop host_path for task-local storage, or run the service on EC2",
            )
        if volume.ebs is not None:
            yield from _ebs((*at, "ebs"), volume.ebs)
            if service.kind == "job":
                yield (*at, "ebs"), "ECS attaches EBS volumes to a service's tasks only, not to a job's"
            elif len(ebs_volumes) > 1 and name != ebs_volumes[0]:
                yield (*at, "ebs"), f"ECS attaches one EBS volume per task, and {ebs_volumes[0]!r} is already one"
    containers: list[tuple[Location, str, ContainerSettings]] = [(where, "", service)]
    containers += [((*where, "sidecars", i), s.name, s) for i, s in enumerate(service.sidecars)]
    main = str(where[-1])
    names = {s.name for s in service.sidecars} | {main}
    for location, container_name, settings in containers:
        own_name = container_name or main
        paths: dict[str, str] = {}
        if not container_name:  # the main container also mounts the file systems under volumes
            for fs_name, efs in service.volumes.items():
                paths[efs if isinstance(efs, str) else efs.path] = fs_name
        for volume_name, mount in settings.mounts.items():
            at = (*location, "mounts", volume_name)
            path = mount if isinstance(mount, str) else mount.path
            if volume_name not in service.task_volumes:
                hint = did_you_mean(volume_name, service.task_volumes)
                yield at, f"no task volume {volume_name!r}{hint}: declare it under task_volumes"
            if path in paths:
                yield at, f"mount path {path} is already used by {paths[path]!r}"
            paths[path] = volume_name
        for index, source in enumerate(settings.volumes_from):
            at = (*location, "volumes_from", index, "container")
            if source.container == own_name:
                yield at, "a container cannot mount its own volumes"
            elif source.container not in names:
                yield at, f"no container {source.container!r} in this task{did_you_mean(source.container, sorted(names))}"


def _ebs(at: Location, ebs: EbsVolumeConfig) -> Iterator[Finding]:
    spec = ebs_volume_types()[ebs.type]
    low, high = spec.size_gib
    if not low <= ebs.size_gib <= high:
        yield (*at, "size_gib"), f"{ebs.type} volumes are {low} to {high} GiB"
    if spec.iops is None and ebs.iops is not None:
        yield (*at, "iops"), f"{ebs.type} volumes take no provisioned IOPS (gp3, io1 and io2 do)"
    elif spec.iops is not None and ebs.iops is not None and not spec.iops[0] <= ebs.iops <= spec.iops[1]:
        yield (*at, "iops"), f"{ebs.type} volumes take {spec.iops[0]} to {spec.iops[1]} IOPS"
    elif spec.iops_required and ebs.iops is None:
        yield (*at, "iops"), f"is required for {ebs.type} volumes ({spec.iops[0] if spec.iops else 0} or more)"
    if ebs.throughput_mibps is not None and spec.throughput_mibps is None:
        yield (*at, "throughput_mibps"), f"{ebs.type} volumes take no provisioned throughput (gp3 does)"
    if ebs.kms_key_arn is not None and not ebs.encrypted:
        yield (*at, "kms_key_arn"), "applies to encrypted volumes only: remove it or set encrypted: true"
    if ebs.initialization_rate_mibps is not None and ebs.snapshot_id is None:
        yield (*at, "initialization_rate_mibps"), "applies to volumes created from a snapshot: give snapshot_id"
