"""Tasks per instance, strategy splits and instances needed, on hand-built tasks with known answers."""

from __future__ import annotations

from ecs_toolkit.plan import packing
from ecs_toolkit.plan.prices import InstanceType
from ecs_toolkit.plan.templates import StrategyItem
from tests.plan.tiny import task

SMALL = InstanceType("small.large", vcpu=2, memory_gib=4, max_enis=3, on_demand_hourly=0.04)
"""2048 CPU units; 4096 MiB installed, 3891 for tasks."""
FOUR_GPUS = InstanceType("gpu.12xlarge", vcpu=48, memory_gib=192, max_enis=8, on_demand_hourly=5.672, gpus=4)


def test_the_agent_reserve_keeps_five_percent_of_the_memory_from_tasks() -> None:
    assert packing.usable_memory_mib(SMALL) == 4096 - 205


def test_cpu_limits_tasks_that_reserve_cpu() -> None:
    fit = packing.tasks_per_instance(task(cpu=256, memory=256), SMALL)
    assert (fit.tasks, fit.limited_by) == (8, "cpu")


def test_memory_limits_tasks_without_a_cpu_reservation() -> None:
    fit = packing.tasks_per_instance(task(cpu=0, memory=1024), SMALL)
    assert (fit.tasks, fit.limited_by) == (3, "memory")


def test_dynamic_host_ports_share_the_pinned_range() -> None:
    fit = packing.tasks_per_instance(task(cpu=0, memory=6, dynamic=2), SMALL, (61000, 61009))
    assert (fit.tasks, fit.limited_by) == (5, "dynamic port range")


def test_a_fixed_host_port_allows_one_task_per_instance() -> None:
    host = packing.tasks_per_instance(task(cpu=128, memory=128, mode="host", static=(9100,)), SMALL)
    bridge = packing.tasks_per_instance(task(cpu=128, memory=128, mode="bridge", static=(8080,)), SMALL)
    assert (host.tasks, host.limited_by) == (1, "host ports")
    assert (bridge.tasks, bridge.limited_by) == (1, "host ports")


def test_awsvpc_on_ec2_allows_one_task_per_spare_network_interface() -> None:
    fit = packing.tasks_per_instance(task(cpu=128, memory=128, mode="awsvpc"), SMALL)
    assert (fit.tasks, fit.limited_by) == (2, "ENIs")


def test_bases_first_then_weights() -> None:
    strategy = [StrategyItem("ondemand", base=1, weight=1), StrategyItem("spot", base=0, weight=3)]
    assert packing.split_tasks(10, strategy) == {"ondemand": 3, "spot": 7}
    assert packing.split_tasks(2, strategy) == {"ondemand": 1, "spot": 1}
    assert packing.split_tasks(1, strategy) == {"ondemand": 1, "spot": 0}


def test_equal_fractions_go_to_the_earlier_provider() -> None:
    strategy = [StrategyItem("FARGATE", base=2, weight=1), StrategyItem("FARGATE_SPOT", base=0, weight=1)]
    assert packing.split_tasks(5, strategy) == {"FARGATE": 4, "FARGATE_SPOT": 1}


def test_instances_needed_packs_tasks_and_keeps_the_target_capacity_spare() -> None:
    ten = [(task(memory=1024), 10)]  # three per instance
    assert packing.instances_needed(ten, SMALL) == 4
    assert packing.instances_needed(ten, SMALL, target_capacity_percent=90) == 5


def test_services_share_instances_unless_their_fixed_ports_collide() -> None:
    agent = task(cpu=128, memory=128, mode="host", static=(9100,))
    other = task(cpu=128, memory=128, mode="host", static=(9200,))
    assert packing.instances_needed([(agent, 2), (other, 2)], SMALL) == 2
    assert packing.instances_needed([(agent, 3)], SMALL) == 3


def test_a_task_larger_than_the_instance_fits_nowhere() -> None:
    assert packing.instances_needed([(task(memory=8000), 1)], SMALL) is None
    assert packing.tasks_per_instance(task(memory=8000), SMALL).tasks == 0


def test_gpus_are_reserved_whole_per_task() -> None:
    fit = packing.tasks_per_instance(task(cpu=1024, memory=4096, gpus=1), FOUR_GPUS)
    assert (fit.tasks, fit.limited_by) == (4, "GPUs")
    assert packing.tasks_per_instance(task(cpu=1024, memory=4096, gpus=3), FOUR_GPUS).tasks == 1
    assert packing.tasks_per_instance(task(memory=256, gpus=1), SMALL).tasks == 0


def test_instances_needed_counts_gpus_across_services() -> None:
    two_gpu = task(cpu=1024, memory=4096, gpus=2)
    one_gpu = task(cpu=1024, memory=2048, gpus=1)
    assert packing.instances_needed([(two_gpu, 3)], FOUR_GPUS) == 2  # two per instance
    assert packing.instances_needed([(two_gpu, 1), (one_gpu, 2)], FOUR_GPUS) == 1
    assert packing.instances_needed([(two_gpu, 1), (one_gpu, 3)], FOUR_GPUS) == 2
    assert packing.instances_needed([(task(memory=256, gpus=1), 1)], SMALL) is None
