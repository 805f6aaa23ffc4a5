"""Placement feasibility of EC2 services: size, architecture, network interfaces, host ports, rolling deployments.

``BASE`` has one group ``general`` of m5.large (2 vCPUs = 2048 cpu units; 8192 MiB, of which 7782 are
left for tasks after the agent's 5% reserve) with at most 4 instances. ``manifest.service(body)``
puts the body's first line on line 12 under ``services.api``.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.config.rules import placement_warnings

EC2 = "kind: worker\nimage: app\nlaunch: ec2\ncapacity: [{provider: general}]\n"  # lines 12-15
HOST = "kind: backend\nimage: app\nlaunch: ec2\ncapacity: [{provider: general}]\nnetwork_mode: host\nport: 9100\n"  # 12-17


def with_group(types: str, body: str) -> str:
    """A manifest whose only EC2 group ``general`` has ``types`` (max 4), and one service ``api``."""
    return (
        "name: test\ncluster:\n  capacity:\n    fargate: false\n    ec2:\n"
        f"      - {{name: general, instance_types: [{types}], max: 4}}\n"
        "services:\n  api:\n" + "".join(f"    {line}\n" for line in body.splitlines())
    )


def test_fails_when_the_task_cpu_exceeds_the_largest_instance(manifest) -> None:
    assert manifest.problems(manifest.service(EC2 + "cpu: 4096\nmemory_mib: 1024\n")) == [
        "16: services.api.cpu: 4096 cpu units do not fit on any instance of group 'general': its largest type, "
        "m5.large, has 2048 cpu units (2 vCPUs x 1024): use at most 2048 or add a larger instance type"
    ]


def test_fails_when_the_task_memory_exceeds_what_the_agent_leaves(manifest) -> None:
    assert manifest.problems(manifest.service(EC2 + "cpu: 1024\nmemory_mib: 7783\n")) == [
        "17: services.api.memory_mib: 7783 MiB do not fit on any instance of group 'general': its largest type, "
        "m5.large, has 7782 MiB for tasks (8192 MiB less the ECS agent's 5% reserve): use at most 7782 or add a larger "
        "instance type"
    ]


def test_accepts_a_task_that_fills_the_instance_exactly(manifest) -> None:
    config = manifest.load(manifest.service(EC2 + "cpu: 2048\nmemory_mib: 7782\n"))
    assert list(placement_warnings(config)) == []


def test_warns_when_the_task_fits_only_the_larger_types_of_a_group(manifest) -> None:
    config = manifest.load(with_group("t3.medium, m5.large", EC2 + "cpu: 512\nmemory_mib: 6000\n"))
    assert list(placement_warnings(config)) == [
        (
            ("services", "api", "memory_mib"),
            "6000 MiB do not fit on t3.medium in group 'general': tasks wait until a larger type of the group is launched",
        )
    ]


def test_fails_on_an_arm64_image_on_an_x86_group(manifest) -> None:
    assert manifest.problems(manifest.service(EC2 + "architecture: arm64\n")) == [
        "16: services.api.architecture: the image is arm64 but group 'general' runs x86_64 instances (m5.large), "
        "and an EC2 task runs on the instance's architecture: set architecture: x86_64 if the image has an x86_64 build, "
        "or use an arm64 group"
    ]


def test_fails_on_an_x86_image_on_a_graviton_group(manifest) -> None:
    assert manifest.problems(with_group("t4g.medium", EC2)) == [
        "8: services.api.architecture: the image is x86_64 but group 'general' runs arm64 instances (t4g.medium), "
        "and an EC2 task runs on the instance's architecture: set architecture: arm64 if the image has an arm64 build, "
        "or use an x86_64 group"
    ]


def test_fails_when_awsvpc_tasks_outnumber_the_network_interfaces(manifest) -> None:
    body = EC2 + "network_mode: awsvpc\ncount: 9\n"
    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.count: 9 awsvpc tasks need a network interface each, but the service's groups hold at most 8 "
        "(general: 4 x 2 on m5.large; an instance's own interface takes one, and ENI trunking is not turned on)"
    ]


def test_accepts_awsvpc_tasks_that_fill_the_network_interfaces(manifest) -> None:
    config = manifest.load(manifest.service(EC2 + "network_mode: awsvpc\ncount: 8\n"))
    assert list(placement_warnings(config)) == []


def test_warns_when_awsvpc_scaling_outgrows_the_smallest_types(manifest) -> None:
    config = manifest.load(with_group("t3.micro, m5.large", EC2 + "network_mode: awsvpc\nscaling: {min: 2, max: 6}\n"))
    assert list(placement_warnings(config)) == [
        (
            ("services", "api", "scaling", "max"),
            "6 awsvpc tasks need a network interface each; on the groups' smallest types they hold 4 "
            "(general: 4 x 1 on t3.micro; an instance's own interface takes one, and ENI trunking is not turned on)",
        )
    ]


@pytest.mark.parametrize("port", [22, 2375, 2376, 51678, 51679, 51680])
def test_fails_on_a_host_port_the_agent_or_docker_holds(manifest, port: int) -> None:
    body = HOST.replace("port: 9100", f"port: {port}")
    assert manifest.problems(manifest.service(body)) == [
        f"17: services.api.port: host port {port} is taken on every instance by SSH, Docker or the ECS agent "
        "(22, 2375, 2376, 51678, 51679, 51680): use another port"
    ]


def test_fails_on_a_sidecar_host_port_the_agent_holds(manifest) -> None:
    body = HOST + "sidecars: [{name: proxy, image: envoy, port: 51678}]\n"
    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.sidecars.0.port: host port 51678 is taken on every instance by SSH, Docker or the ECS agent "
        "(22, 2375, 2376, 51678, 51679, 51680): use another port"
    ]


def test_fails_when_host_mode_scaling_min_exceeds_the_instances(manifest) -> None:
    assert manifest.problems(manifest.service(HOST + "scaling: {min: 5, max: 6}\n")) == [
        "18: services.api.scaling.min: 5 tasks in host mode need 5 instances (one per instance for port 9100), "
        "but the service's capacity groups have at most 4"
    ]


def test_warns_when_host_mode_scaling_max_exceeds_the_instances(manifest) -> None:
    config = manifest.load(manifest.service(HOST + "scaling: {min: 2, max: 6}\ndeployment: {min_healthy_percent: 50}\n"))
    assert list(placement_warnings(config)) == [
        (
            ("services", "api", "scaling", "max"),
            "scaling up to 6 tasks in host mode needs 6 instances (one per instance for port 9100); the service's "
            "capacity groups have at most 4, so tasks above 4 cannot be placed",
        )
    ]


def test_fails_on_a_host_mode_rolling_deployment_that_can_never_start(manifest) -> None:
    assert manifest.problems(manifest.service(HOST + "count: 4\n")) == [
        "18: services.api.count: a rolling deployment can never start: 4 tasks in host mode fill all 4 instances the "
        "groups may have (one per instance for port 9100), and min_healthy_percent 100 keeps every old task running: "
        "lower deployment.min_healthy_percent to 75 or less, or raise the groups' max"
    ]


def test_points_at_an_explicit_min_healthy_percent_that_blocks_the_deployment(manifest) -> None:
    problems = manifest.problems(manifest.service(HOST + "count: 4\ndeployment: {min_healthy_percent: 80}\n"))
    assert problems == [
        "19: services.api.deployment.min_healthy_percent: a rolling deployment can never start: 4 tasks in host mode "
        "fill all 4 instances the groups may have (one per instance for port 9100), and min_healthy_percent 80 keeps "
        "every old task running: lower deployment.min_healthy_percent to 75 or less, or raise the groups' max"
    ]


def test_accepts_a_host_mode_service_with_a_free_instance_to_deploy_onto(manifest) -> None:
    config = manifest.load(manifest.service(HOST + "count: 3\n"))
    assert config.services["api"].count == 3 and list(placement_warnings(config)) == []


def test_warns_when_host_mode_scaling_reaches_every_instance_with_min_healthy_100(manifest) -> None:
    config = manifest.load(manifest.service(HOST + "scaling: {min: 2, max: 4}\n"))
    assert list(placement_warnings(config)) == [
        (
            ("services", "api", "scaling", "max"),
            "at 4 tasks in host mode every instance the groups may have is full (one per instance for port 9100) and "
            "min_healthy_percent 100 keeps every old task running, so a deployment at that scale cannot start: "
            "lower deployment.min_healthy_percent or raise the groups' max",
        )
    ]


def test_ignores_fargate_services(manifest) -> None:
    body = "kind: worker\nimage: app\ncpu: 16384\nmemory_mib: 122880\narchitecture: arm64\n"
    assert list(placement_warnings(manifest.load(manifest.service(body)))) == []
