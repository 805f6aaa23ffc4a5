"""Warnings: things a valid manifest builds that are probably not what was meant. They never fail validation.

A warning rule is a generator of ``Finding``s, exactly like a rule of the other topics: it takes the
validated ``EnvironmentConfig`` and yields ``(location, message)``. Add it to ``WARNING_RULES``; the
loader prints each as ``file:line: field.path: warning: message`` and the manifest still loads.
Use a warning, not an error, when the manifest deploys and works but wastes money or will surprise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.images import unwritable_paths, writable_root_image
from ecs_toolkit.config.models import ContainerSettings, EnvironmentConfig, ImageConfig, VolumeConfig
from ecs_toolkit.config.rules.common import Finding, Location
from ecs_toolkit.config.rules.connections import connection_warnings
from ecs_toolkit.config.rules.placement import placement_warnings


def check_warnings(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every warning of a valid manifest."""
    for rule in WARNING_RULES:
        yield from rule(config)


def _unmounted_file_systems(config: EnvironmentConfig) -> Iterator[Finding]:
    mounted = {name for service in config.services.values() for name in service.volumes}
    for name, fs in config.file_systems.items():
        if name not in mounted and fs.existing is None:
            yield (
                ("file_systems", name),
                "no service mounts it: it is still created (with mount targets and backups); "
                "add it to a service's volumes or remove it",
            )


def _existing_file_systems(config: EnvironmentConfig) -> Iterator[Finding]:
    mounted = {name for service in config.services.values() for name in service.volumes}
    for name, fs in config.file_systems.items():
        existing = fs.existing
        if existing is None:
            continue
        where = ("file_systems", name, "existing")
        if existing.security_group_id is None and name in mounted:
            yield (
                where,
                f"no security_group_id: the mount targets of {existing.id} must already admit NFS (tcp/2049) from the "
                "services that mount it (their tasks' or instances' security groups), or their tasks fail to start; "
                "give security_group_id and each service adds that rule",
            )
        if not existing.kms:
            yield (
                (*where, "kms"),
                f"{existing.id} is not encrypted at rest: file systems the toolkit creates always are "
                "(a file system is encrypted only when it is created)",
            )


def _load_balancer_without_routes(config: EnvironmentConfig) -> Iterator[Finding]:
    if config.load_balancer is None or config.load_balancer.existing is not None:
        return  # an existing load balancer is billed to whoever created it
    if not any(service.route is not None for service in config.services.values()):
        yield (
            ("load_balancer",),
            "no service has a route: the load balancer is still created and billed by the hour; "
            "add a route to a web service or remove this section",
        )


def _idle_capacity_groups(config: EnvironmentConfig) -> Iterator[Finding]:
    used = {item.provider for item in derived.cluster_strategy(config)}
    for service in config.services.values():
        used.update(item.provider for item in derived.service_strategy(config, service))
    for index, group in enumerate(config.cluster.capacity.ec2):
        if group.name not in used:
            idle = f"its {group.min} instance{'s' if group.min != 1 else ''} run idle" if group.min else "it stays empty"
            yield (
                ("cluster", "capacity", "ec2", index, "name"),
                f"no service and no default strategy uses group {group.name!r}: {idle}; "
                "name it in a capacity strategy or remove it",
            )


def _writable_root_images(config: EnvironmentConfig) -> Iterator[Finding]:
    """Known images (``config/writable_root_images.json``) that write to a root file system kept read-only."""
    for name, service in config.services.items():
        specs = [v if isinstance(v, VolumeConfig) else VolumeConfig(path=v) for v in service.volumes.values()]
        writable_paths = {name: [s.path for s in specs if not s.read_only] + _writable_mounts(service)}
        writable_paths.update({sidecar.name: _writable_mounts(sidecar) for sidecar in service.sidecars})
        # volumes_from mounts the source's volumes at the same paths (writable unless read_only).
        for container, settings in [(name, service), *((s.name, s) for s in service.sidecars)]:
            for source in settings.volumes_from:
                if not source.read_only:
                    writable_paths[container] = writable_paths[container] + writable_paths.get(source.container, [])
        containers: list[tuple[Location, str | ImageConfig, bool, list[str]]] = [
            (("services", name), service.image, service.read_only_root_filesystem, writable_paths[name])
        ]
        containers += [
            (
                ("services", name, "sidecars", index),
                sidecar.image,
                sidecar.read_only_root_filesystem,
                writable_paths[sidecar.name],
            )
            for index, sidecar in enumerate(service.sidecars)
        ]
        for where, image, read_only, writable in containers:
            known = writable_root_image(image)
            paths = unwritable_paths(image, read_only, writable)
            if known is not None and paths:
                yield (
                    (*where, "image"),
                    f"{known.name} writes {' and '.join(paths)} when it starts, and the root file system is read-only: "
                    "the container will exit; set read_only_root_filesystem: false or mount a writable volume there",
                )


def _writable_mounts(settings: ContainerSettings) -> list[str]:
    """The paths where a container mounts its task's volumes read-write (``mounts``)."""
    return [
        mount if isinstance(mount, str) else mount.path
        for mount in settings.mounts.values()
        if isinstance(mount, str) or not mount.read_only
    ]


WARNING_RULES: list[Callable[[EnvironmentConfig], Iterator[Finding]]] = [
    _unmounted_file_systems,
    _existing_file_systems,
    _load_balancer_without_routes,
    _idle_capacity_groups,
    connection_warnings,
    placement_warnings,
    _writable_root_images,
]
