"""Container rules: how the task's cpu and memory divide between containers, start order, and the
Linux, DNS and hosts settings each launch type and network mode allows."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import ContainerSettings, EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.references import parse_env_file
from ecs_toolkit.config.rules.common import Finding, Location

FARGATE_CAPABILITIES_ADD = ("SYS_PTRACE",)
"""The only capability a Fargate task may add (KernelCapabilities, ECS API reference)."""
FARGATE_MAX_NOFILE = 1048576
"""Fargate's ceiling for the nofile ulimit (ECS task definition parameters, "ulimits")."""
MAX_ENV_FILES = 10
"""Environment files per container (ECS task definition parameters, "environmentFiles": "You can specify up to ten
environment files"); each must have the ``.env`` extension."""


def check_containers(config: EnvironmentConfig, where: Location, name: str, service: ServiceConfig) -> Iterator[Finding]:
    launch = derived.launch_of(config, service)
    mode = derived.network_mode_of(config, service)
    yield from _shares(config, where, service)
    containers: list[tuple[Location, str, ContainerSettings, bool]] = [(where, name, service, True)]
    containers += [((*where, "sidecars", i), s.name, s, s.essential) for i, s in enumerate(service.sidecars)]
    by_name = {container_name: (settings, essential) for _, container_name, settings, essential in containers}
    for location, container_name, settings, _ in containers:
        yield from _depends_on(location, container_name, settings, by_name)
        yield from _linux(location, settings, launch)
        yield from _ulimits(location, settings, launch)
        yield from _env_files(config, location, settings)
        for field in ("dns_servers", "extra_hosts"):
            if getattr(settings, field) and mode == "awsvpc":
                yield (
                    (*location, field),
                    "is not supported in awsvpc network mode (Fargate and awsvpc tasks use the VPC's resolver): "
                    "use network_mode bridge or host on EC2",
                )
    yield from _cycles(where, containers)
    if service.ephemeral_storage_gib is not None and launch != "fargate":
        yield (
            (*where, "ephemeral_storage_gib"),
            "is a Fargate setting: EC2 tasks use their instance's disk (size it with the EC2 group's root_volume_gib)",
        )


def _shares(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """The main container keeps what the sidecars leave of the task's memory, never less than nothing (cpu: ``limits``)."""
    memory = derived.task_memory_mib(config, service)
    sidecar_memory = derived.sidecar_memory_mib(service)
    main_memory = memory - sidecar_memory
    router = " (the log router's included)" if service.logging is not None else ""
    if main_memory <= 0:
        yield (
            (*where, "memory_mib"),
            f"{memory} MiB leaves nothing for the main container after {sidecar_memory} MiB of sidecars{router}",
        )
    elif service.memory_reservation_mib is not None and service.memory_reservation_mib > main_memory:
        yield (
            (*where, "memory_reservation_mib"),
            f"{service.memory_reservation_mib} MiB is more than the main container's hard limit of {main_memory} MiB "
            f"(the task's {memory} MiB less {sidecar_memory} MiB of sidecars{router})",
        )
    for index, sidecar in enumerate(service.sidecars):
        if sidecar.memory_reservation_mib is not None and sidecar.memory_reservation_mib > sidecar.memory_mib:
            yield (
                (*where, "sidecars", index, "memory_reservation_mib"),
                f"{sidecar.memory_reservation_mib} MiB is more than the sidecar's memory_mib ({sidecar.memory_mib} MiB): "
                "the soft limit must not exceed the hard limit",
            )


def _depends_on(
    location: Location, name: str, settings: ContainerSettings, by_name: dict[str, tuple[ContainerSettings, bool]]
) -> Iterator[Finding]:
    for target, condition in settings.depends_on.items():
        at: Location = (*location, "depends_on", target)
        if target == name:
            yield at, "a container cannot depend on itself"
            continue
        if target not in by_name:
            yield at, f"no container {target!r} in this task (have: {', '.join(sorted(by_name))})"
            continue
        target_settings, essential = by_name[target]
        if condition == "healthy" and target_settings.container_health_check is None:
            yield at, f"healthy needs a container_health_check on {target!r}"
        if condition in ("complete", "success") and essential:
            yield (
                at,
                f"{condition} waits for {target!r} to exit, but it is essential (the task stops when it exits): "
                "make it a sidecar with essential: false, or use start or healthy",
            )


def _cycles(where: Location, containers: list[tuple[Location, str, ContainerSettings, bool]]) -> Iterator[Finding]:
    """Containers that wait for each other (``depends_on``, or ``volumes_from``, which starts the source first)
    never start: each cycle is reported once, at its first container."""
    graph = {
        name: [t for t in (*settings.depends_on, *(v.container for v in settings.volumes_from)) if t != name]
        for _, name, settings, _ in containers
    }
    locations = {name: location for location, name, _, _ in containers}
    settings_of = {name: settings for _, name, settings, _ in containers}
    order = list(graph)
    reported: set[frozenset[str]] = set()
    for start in order:
        cycle = _cycle_from(graph, start, [])
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        first = min(cycle, key=order.index)
        turn = cycle.index(first)
        shown = [*cycle[turn:], *cycle[:turn], first]
        field = "depends_on" if shown[1] in settings_of[first].depends_on else "volumes_from"
        yield (*locations[first], field), f"containers wait for each other and never start: {' -> '.join(shown)}"


def _cycle_from(graph: dict[str, list[str]], node: str, path: list[str]) -> list[str] | None:
    if node in path:
        return path[path.index(node) :]
    for target in graph.get(node, []):
        cycle = _cycle_from(graph, target, [*path, node])
        if cycle is not None:
            return cycle
    return None


def _linux(location: Location, settings: ContainerSettings, launch: str) -> Iterator[Finding]:
    linux = settings.linux
    if linux is None:
        return
    at: Location = (*location, "linux")
    both = sorted(set(linux.capabilities_add) & set(linux.capabilities_drop))
    if both:
        yield (*at, "capabilities_drop"), f"{', '.join(both)} is also under capabilities_add"
    if launch != "fargate":
        return
    extra = [c for c in linux.capabilities_add if c not in FARGATE_CAPABILITIES_ADD]
    if extra:
        yield (*at, "capabilities_add"), f"Fargate allows adding only SYS_PTRACE, not {', '.join(extra)}"
    if linux.shared_memory_mib is not None:
        yield (*at, "shared_memory_mib"), "is not supported on Fargate (EC2 only)"
    if linux.tmpfs:
        yield (*at, "tmpfs"), "is not supported on Fargate (EC2 only): use a task-local volume for scratch space"


def _ulimits(location: Location, settings: ContainerSettings, launch: str) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, ulimit in enumerate(settings.ulimits):
        at: Location = (*location, "ulimits", index)
        if ulimit.name in seen:
            yield (*at, "name"), f"{ulimit.name} is set twice"
        seen.add(ulimit.name)
        unlimited = -1
        if ulimit.hard != unlimited and (ulimit.soft == unlimited or ulimit.soft > ulimit.hard):
            yield (*at, "soft"), f"{ulimit.soft} is above the hard limit {ulimit.hard}"
        if launch == "fargate" and ulimit.name == "nofile" and (ulimit.hard == unlimited or ulimit.hard > FARGATE_MAX_NOFILE):
            yield (*at, "hard"), f"Fargate allows nofile up to {FARGATE_MAX_NOFILE}"


def _env_files(config: EnvironmentConfig, location: Location, settings: ContainerSettings) -> Iterator[Finding]:
    if len(settings.env_files) > MAX_ENV_FILES:
        yield (
            (*location, "env_files"),
            f"{len(settings.env_files)} files: ECS takes at most {MAX_ENV_FILES} per container (merge some of them)",
        )
    seen: set[str] = set()
    for index, value in enumerate(settings.env_files):
        at: Location = (*location, "env_files", index)
        try:
            reference = parse_env_file(value)
        except ValueError as error:
            yield at, str(error)
            continue
        if value in seen:
            yield at, f"{value} is listed twice"
        seen.add(value)
        if not reference.name.endswith(".env"):
            yield at, f"{reference.name!r} does not end in .env: ECS loads environment files with the .env extension only"
        if reference.path is not None:
            local = config.manifest_dir / reference.path
            if not local.is_file():
                what = "is a directory, not a file" if local.is_dir() else "does not exist"
                yield at, f"{value} {what} (looked for {local}; paths are relative to the manifest)"
