"""Container settings shared by the main container and sidecars: memory shares, start order, restart
policy, Linux settings, ulimits, DNS and hosts, each against the launch type and network mode.

``manifest.service(body)`` puts the body's first line on line 12 under ``services.api``. The bodies
below take lines 12-16 (Fargate, awsvpc) or 12-15 (EC2, bridge); tests append from the next line.
"""

from __future__ import annotations

FARGATE = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
EC2 = "kind: backend\nimage: app\nport: 8080\ncapacity: [{provider: general}]\n"
HEALTH = "container_health_check: {command: [CMD, /bin/true]}"


def test_loads_every_container_setting_on_the_main_container_and_a_sidecar(manifest) -> None:
    body = EC2 + (
        "memory_reservation_mib: 200\n"
        "depends_on: {init: success, proxy: healthy}\n"
        "restart: {ignored_exit_codes: [0], attempt_reset_period_seconds: 60}\n"
        "linux:\n"
        "  capabilities_add: [NET_ADMIN]\n"
        "  capabilities_drop: [ALL]\n"
        "  init_process: true\n"
        "  shared_memory_mib: 64\n"
        "  tmpfs: [{path: /tmp, size_mib: 32, options: [noexec, nosuid]}]\n"
        "ulimits: [{name: nofile, soft: 1024, hard: 4096}]\n"
        "working_directory: /srv\n"
        "dns_servers: [10.0.0.2]\n"
        "extra_hosts: {db.local: 10.0.0.9}\n"
        "sidecars:\n"
        "  - {name: init, image: busybox, essential: false, command: [sh, -c, 'true'], memory_mib: 32}\n"
        f"  - {{name: proxy, image: envoy, memory_mib: 128, memory_reservation_mib: 64, {HEALTH}}}\n"
    )

    service = manifest.load(manifest.service(body)).services["api"]

    assert service.depends_on == {"init": "success", "proxy": "healthy"}
    assert service.linux is not None and service.linux.tmpfs[0].options == ["noexec", "nosuid"]
    assert service.sidecars[1].memory_reservation_mib == 64
    assert service.restart is not None and service.restart.attempt_reset_period_seconds == 60


def test_fails_when_the_main_containers_soft_limit_is_above_what_the_sidecars_leave(manifest) -> None:
    body = FARGATE + "memory_reservation_mib: 400\nsidecars:\n  - {name: proxy, image: envoy, memory_mib: 256}\n"

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.memory_reservation_mib: 400 MiB is more than the main container's hard limit of 256 MiB "
        "(the task's 512 MiB less 256 MiB of sidecars)"
    ]


def test_fails_when_a_sidecars_soft_limit_is_above_its_hard_limit(manifest) -> None:
    body = FARGATE + "sidecars:\n  - name: proxy\n    image: envoy\n    memory_mib: 64\n    memory_reservation_mib: 100\n"

    assert manifest.problems(manifest.service(body)) == [
        "21: services.api.sidecars.0.memory_reservation_mib: 100 MiB is more than the sidecar's memory_mib (64 MiB): "
        "the soft limit must not exceed the hard limit"
    ]


def test_fails_when_sidecars_take_all_the_task_memory(manifest) -> None:
    body = FARGATE + "sidecars:\n  - {name: proxy, image: envoy, memory_mib: 512}\n"

    assert manifest.problems(manifest.service(body)) == [
        "16: services.api.memory_mib: 512 MiB leaves nothing for the main container after 512 MiB of sidecars"
    ]


def test_fails_when_depends_on_names_no_container_of_the_task(manifest) -> None:
    body = FARGATE + "depends_on: {migrate: success, api: start}\n"

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.depends_on.api: a container cannot depend on itself",
        "17: services.api.depends_on.migrate: no container 'migrate' in this task (have: api)",
    ]


def test_fails_when_healthy_targets_a_container_without_a_health_check(manifest) -> None:
    body = FARGATE + "depends_on: {proxy: healthy}\nsidecars:\n  - {name: proxy, image: envoy}\n"

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.depends_on.proxy: healthy needs a container_health_check on 'proxy'"
    ]


def test_fails_when_complete_or_success_waits_for_an_essential_container(manifest) -> None:
    body = FARGATE + "sidecars:\n  - {name: proxy, image: envoy, depends_on: {api: success}}\n"

    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.sidecars.0.depends_on.api: success waits for 'api' to exit, but it is essential "
        "(the task stops when it exits): make it a sidecar with essential: false, or use start or healthy"
    ]


def test_fails_once_when_containers_wait_for_each_other(manifest) -> None:
    body = FARGATE + (
        "depends_on: {one: start}\n"
        "sidecars:\n"
        "  - {name: one, image: x, memory_mib: 32, depends_on: {two: start}}\n"
        "  - {name: two, image: x, memory_mib: 32, depends_on: {api: start}}\n"
    )

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.depends_on: containers wait for each other and never start: api -> one -> two -> api"
    ]


def test_fails_when_a_condition_is_not_one_ecs_knows(manifest) -> None:
    body = FARGATE + "depends_on: {proxy: ready}\nsidecars:\n  - {name: proxy, image: envoy}\n"

    problems = manifest.problems(manifest.service(body))

    assert len(problems) == 1
    assert problems[0].startswith("17: services.api.depends_on.proxy: must be one of: start, complete, success, healthy")


def test_fails_when_restart_settings_are_outside_ecs_bounds(manifest) -> None:
    body = FARGATE + f"restart: {{attempt_reset_period_seconds: 30, ignored_exit_codes: {list(range(51))}}}\n"

    problems = manifest.problems(manifest.service(body))

    assert [p.split(": must")[0] for p in problems] == [
        "17: services.api.restart.attempt_reset_period_seconds",
        "17: services.api.restart.ignored_exit_codes",
    ]
    assert "60 to 1800" in problems[0]


def test_fails_when_fargate_gets_shared_memory_tmpfs_or_added_capabilities(manifest) -> None:
    body = FARGATE + (
        "linux:\n  capabilities_add: [SYS_PTRACE, NET_ADMIN]\n  shared_memory_mib: 64\n  tmpfs: [{path: /tmp, size_mib: 16}]\n"
    )

    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.linux.capabilities_add: Fargate allows adding only SYS_PTRACE, not NET_ADMIN",
        "19: services.api.linux.shared_memory_mib: is not supported on Fargate (EC2 only)",
        "20: services.api.linux.tmpfs: is not supported on Fargate (EC2 only): use a task-local volume for scratch space",
    ]


def test_fails_when_a_capability_is_both_added_and_dropped(manifest) -> None:
    body = EC2 + "linux: {capabilities_add: [NET_ADMIN], capabilities_drop: [NET_ADMIN, MKNOD]}\n"

    assert manifest.problems(manifest.service(body)) == [
        "16: services.api.linux.capabilities_drop: NET_ADMIN is also under capabilities_add"
    ]


def test_fails_when_an_ulimit_is_repeated_inverted_or_above_fargates_nofile(manifest) -> None:
    body = FARGATE + (
        "ulimits:\n"
        "  - {name: nofile, soft: 2048, hard: 2000000}\n"
        "  - {name: nofile, soft: 10, hard: 10}\n"
        "  - {name: nproc, soft: 100, hard: 50}\n"
    )

    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.ulimits.0.hard: Fargate allows nofile up to 1048576",
        "19: services.api.ulimits.1.name: nofile is set twice",
        "20: services.api.ulimits.2.soft: 100 is above the hard limit 50",
    ]


def test_fails_when_dns_servers_or_extra_hosts_are_set_in_awsvpc_mode(manifest) -> None:
    body = FARGATE + "dns_servers: [10.0.0.2]\nsidecars:\n  - {name: proxy, image: envoy, extra_hosts: {db: 10.0.0.9}}\n"
    reason = "is not supported in awsvpc network mode (Fargate and awsvpc tasks use the VPC's resolver): "
    fix = "use network_mode bridge or host on EC2"

    assert manifest.problems(manifest.service(body)) == [
        f"17: services.api.dns_servers: {reason}{fix}",
        f"19: services.api.sidecars.0.extra_hosts: {reason}{fix}",
    ]


def test_fails_when_a_dns_server_is_not_an_ipv4_address_or_the_directory_is_relative(manifest) -> None:
    body = EC2 + "dns_servers: [dns.local]\nworking_directory: srv\n"

    problems = manifest.problems(manifest.service(body))

    assert problems == [
        "16: services.api.dns_servers.0: must be an IPv4 address such as 10.0.0.2 (got 'dns.local')",
        "17: services.api.working_directory: must be an absolute path without spaces, such as /app, "
        "at most 4096 characters (got 'srv')",
    ]
