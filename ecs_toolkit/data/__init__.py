"""AWS facts the toolkit reasons with, each in a data file with its source and date.

- ``instance_types.json``: vCPUs, memory, architecture, network interfaces and GPUs of every EC2
  instance type (rebuilt by ``python -m ecs_toolkit.data.refresh``);
- ``ebs_volume_types.json``: the size, IOPS and throughput ranges of each EBS volume type that ECS
  can attach to a task;
- ``fluent_bit.json``: the AWS for Fluent Bit image (pinned by tag) that FireLens log routers run by default,
  and the paths it writes;
- ``sns_filter_policy.json``: the limits and operators of an SNS subscription filter policy.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

CPU_UNITS_PER_VCPU = 1024
"""ECS counts 1024 cpu units per vCPU of a container instance."""
AGENT_MEMORY_RESERVE_PERCENT = 5
"""Memory an instance keeps from tasks: the kernel and platform take some before the ECS agent registers
(an m4.large with 8192 MiB installed registers 7985), and AWS recommends a 5% buffer for the agent and
system processes (Amazon ECS developer guide, "Reserving Amazon ECS Linux container instance memory").
The toolkit sets no ``ECS_RESERVED_MEMORY``; this is the allowance for both."""


@dataclass(frozen=True)
class InstanceSpec:
    name: str
    vcpu: int
    memory_mib: int
    """Installed memory, before the agent's reserve."""
    architecture: str
    """``x86_64`` or ``arm64``."""
    max_enis: int
    """Network interfaces without ENI trunking; one is the instance's own."""
    gpus: int

    @property
    def cpu_units(self) -> int:
        return self.vcpu * CPU_UNITS_PER_VCPU

    @property
    def task_memory_mib(self) -> int:
        """Memory left for tasks after the agent's reserve."""
        return usable_memory_mib(self.memory_mib)


def usable_memory_mib(installed_mib: int) -> int:
    return installed_mib - math.ceil(installed_mib * AGENT_MEMORY_RESERVE_PERCENT / 100)


@cache
def _instance_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath("instance_types.json").read_text("utf-8"))
    return data


@cache
def instance_types() -> dict[str, InstanceSpec]:
    """Every instance type by name."""
    return {name: InstanceSpec(name=name, **facts) for name, facts in _instance_data()["instance_types"].items()}


def instance_data_source() -> tuple[str, str]:
    """Where the instance data comes from, and when it was compiled."""
    return _instance_data()["source"], _instance_data()["compiled"]


@dataclass(frozen=True)
class EbsVolumeType:
    name: str
    size_gib: tuple[int, int]
    iops: tuple[int, int] | None
    """Provisioned IOPS range, or None where the type takes none."""
    iops_required: bool
    throughput_mibps: tuple[int, int] | None


@cache
def _ebs_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath("ebs_volume_types.json").read_text("utf-8"))
    return data


@cache
def ebs_volume_types() -> dict[str, EbsVolumeType]:
    """Each EBS volume type ECS can attach to a task, with its ranges."""
    return {
        name: EbsVolumeType(
            name=name,
            size_gib=(spec["size_gib"][0], spec["size_gib"][1]),
            iops=None if spec["iops"] is None else (spec["iops"][0], spec["iops"][1]),
            iops_required=spec["iops_required"],
            throughput_mibps=None
            if spec["throughput_mibps"] is None
            else (spec["throughput_mibps"][0], spec["throughput_mibps"][1]),
        )
        for name, spec in _ebs_data()["types"].items()
    }


def _range(value: list[int] | None) -> tuple[int, int] | None:
    return None if value is None else (value[0], value[1])


@dataclass(frozen=True)
class FluentBitImage:
    image: str
    """The default log router image, pinned by tag."""
    writes: tuple[str, ...]
    """Paths the router writes (given a task-local volume under a read-only root)."""


@cache
def fluent_bit_image() -> FluentBitImage:
    """The FireLens log router's default image (``fluent_bit.json``)."""
    data = json.loads(resources.files(__package__).joinpath("fluent_bit.json").read_text("utf-8"))
    return FluentBitImage(image=data["image"], writes=tuple(data["writes"]))


@dataclass(frozen=True)
class FilterPolicyLimits:
    """What SNS accepts in a subscription filter policy on message attributes."""

    max_keys: int
    max_combinations: int
    max_size_bytes: int
    operators: tuple[str, ...]
    numeric_comparisons: tuple[str, ...]


@cache
def sns_filter_policy() -> FilterPolicyLimits:
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath("sns_filter_policy.json").read_text("utf-8"))
    return FilterPolicyLimits(
        max_keys=int(data["max_keys"]),
        max_combinations=int(data["max_combinations"]),
        max_size_bytes=int(data["max_size_bytes"]),
        operators=tuple(data["operators"]),
        numeric_comparisons=tuple(data["numeric_comparisons"]),
    )
