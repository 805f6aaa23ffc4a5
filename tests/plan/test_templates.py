"""Reading facts out of hand-written templates: names through outputs and imports, numbers with their defaults."""

from __future__ import annotations

from ecs_toolkit.plan.templates import read_environment, read_task_definition
from tests.plan.tiny import (
    NETWORK,
    PLATFORM,
    container,
    imported,
    manifest,
    network_template,
    platform_template,
    scalable_target,
    service_template,
    task_definition,
)

GROUPS = [
    {"name": "ondemand", "instance_types": ["small.large"], "min": 1, "max": 4},
    {"name": "spot", "instance_types": ["small.large", "big.large"], "spot": True, "max": 6},
]


def test_strategy_items_resolve_through_imports_to_group_names() -> None:
    config = manifest({"web": {"launch": "ec2"}}, GROUPS)
    templates = {
        NETWORK: network_template(),
        PLATFORM: platform_template({"ondemand": {"types": ["small.large"], "min": 1, "max": 4}}),
        "tiny-web": service_template(
            task_definition(container(Memory=256)),
            strategy=[{"CapacityProvider": imported("ondemand"), "Base": 1, "Weight": 1}, {"CapacityProvider": "FARGATE"}],
        ),
    }
    (web,) = read_environment(config, templates).services
    assert [(item.provider, item.base, item.weight) for item in web.strategy] == [("ondemand", 1, 1), ("FARGATE", 0, 0)]
    assert web.launch == "EC2"


def test_a_service_without_a_strategy_runs_on_the_clusters_default() -> None:
    config = manifest({"api": {}})
    templates = {
        PLATFORM: platform_template({}, default_strategy=[{"CapacityProvider": "FARGATE_SPOT", "Weight": 2}]),
        "tiny-api": service_template(task_definition(container(), Cpu="256", Memory="512", NetworkMode="awsvpc")),
    }
    (api,) = read_environment(config, templates).services
    assert [(item.provider, item.weight) for item in api.strategy] == [("FARGATE_SPOT", 2)]
    assert (api.launch, api.task.cpu_units, api.task.memory_mib) == ("FARGATE", 256, 512)


def test_groups_read_size_types_spot_share_capacity_target_volume_and_port_range() -> None:
    config = manifest({}, GROUPS)
    platform = platform_template(
        {
            "ondemand": {"types": ["small.large"], "min": 1, "max": 4, "ports": (61000, 61999)},
            "spot": {
                "types": ["small.large", "big.large"],
                "min": 0,
                "max": 6,
                "spot": True,
                "base": 1,
                "target": 90,
                "volume_gib": 40,
            },
        }
    )
    groups = read_environment(config, {PLATFORM: platform}).groups
    assert (groups["ondemand"].min_size, groups["ondemand"].max_size, groups["ondemand"].spot) == (1, 4, False)
    assert groups["ondemand"].host_port_range == (61000, 61999)
    spot = groups["spot"]
    assert spot.instance_types == ("small.large", "big.large")
    assert (spot.spot, spot.on_demand_base, spot.target_capacity_percent, spot.root_volume_gib) == (True, 1, 90, 40)
    assert spot.host_port_range is None


def test_the_scalable_target_and_its_scheduled_actions_bound_the_task_count() -> None:
    config = manifest({"web": {}})
    template = service_template(
        task_definition(container(Memory=256)),
        desired=None,
        extra={"Scaling": scalable_target(2, 10, {"MinCapacity": 4}, {"MinCapacity": 1, "MaxCapacity": 12})},
    )
    (web,) = read_environment(config, {"tiny-web": template}).services
    assert (web.min_tasks, web.max_tasks) == (1, 12)
    assert web.desired_count == 1  # no DesiredCount: deploys keep the running count, at least the minimum


def test_task_memory_sums_container_reservations_when_the_task_sets_none() -> None:
    task = read_task_definition(
        task_definition(container("a", Memory=512, MemoryReservation=128, Cpu=100), container("b", Memory=256, Cpu=28))
    )
    assert (task.cpu_units, task.memory_mib) == (128, 384)


def test_task_gpus_sum_the_containers_gpu_requirements() -> None:
    gpu = {"Type": "GPU", "Value": "2"}
    task = read_task_definition(
        task_definition(
            container("a", Memory=64, ResourceRequirements=[gpu]),
            container(
                "b",
                Memory=64,
                ResourceRequirements=[{"Type": "InferenceAccelerator", "Value": "x"}, {"Type": "GPU", "Value": "1"}],
            ),
            container("c", Memory=64),
        )
    )
    assert task.gpus == 3


def test_ports_by_network_mode() -> None:
    def ports(mode: str, *mappings: dict[str, int]) -> tuple[tuple[int, ...], int]:
        task = read_task_definition(task_definition(container(PortMappings=list(mappings), Memory=64), NetworkMode=mode))
        return task.static_host_ports, task.dynamic_host_ports

    assert ports("bridge", {"ContainerPort": 80, "HostPort": 0}, {"ContainerPort": 81}) == ((), 2)
    assert ports("bridge", {"ContainerPort": 80, "HostPort": 8080}) == ((8080,), 0)
    assert ports("host", {"ContainerPort": 9100}) == ((9100,), 0)
    assert ports("awsvpc", {"ContainerPort": 80, "HostPort": 80}) == ((), 0)


def test_stacks_without_a_service_are_jobs_and_absent_stacks_are_missing() -> None:
    config = manifest({"nightly": {"kind": "job", "schedule": "rate(1 day)"}, "reindex": {"kind": "job"}, "web": {}})
    schedule = {"Type": "AWS::Scheduler::Schedule", "Properties": {}}
    templates = {
        PLATFORM: platform_template({}),
        "tiny-nightly": {"Resources": {"Task": task_definition(container()), "Schedule": schedule}},
        "tiny-reindex": {"Resources": {"Task": task_definition(container())}},
    }
    facts = read_environment(config, templates)
    assert facts.without_service == ("nightly", "reindex (on demand)")
    assert facts.missing == (NETWORK, "tiny-web")


def test_shared_resources_and_stack_sizes_count_only_this_environments_stacks() -> None:
    config = manifest({})
    load_balancers = {
        "Alb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
        "Nlb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Type": "network"}},
        "Efs": {"Type": "AWS::EFS::FileSystem", "Properties": {}},
    }
    templates = {
        NETWORK: network_template(2, interface_endpoints=2, zones=3),
        PLATFORM: {"Resources": load_balancers},
        "other-network": network_template(3),
    }
    facts = read_environment(config, templates)
    shared = facts.shared
    assert (shared.nat_gateways, shared.application_load_balancers, shared.network_load_balancers, shared.file_systems) == (
        2,
        1,
        1,
        1,
    )
    assert shared.interface_endpoint_azs == 2 * 3  # the gateway endpoint is free
    assert facts.stack_resources == {NETWORK: 2 + 2 + 1, PLATFORM: 3}
