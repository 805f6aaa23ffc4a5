"""File system rules, and the volumes services mount from them."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig, VolumeConfig
from ecs_toolkit.config.rules.common import Finding, Location


def check_file_systems(config: EnvironmentConfig) -> Iterator[Finding]:
    for name, fs in config.file_systems.items():
        where: Location = ("file_systems", name)
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
            known = ", ".join(config.file_systems) or "none"
            yield location, f"file system {fs_name!r} is not defined under file_systems (have: {known})"
        if not spec.path.startswith("/"):
            yield location, f"mount path {spec.path!r} is not absolute"
        elif spec.path in paths:
            yield location, f"mount path {spec.path} is already used by file system {paths[spec.path]!r}"
        paths[spec.path] = fs_name
