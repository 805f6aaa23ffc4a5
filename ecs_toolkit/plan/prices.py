"""The price table: ``prices.json`` (one data file with its source and date) read into typed values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ecs_toolkit.data import InstanceSpec, instance_types

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpu: int
    memory_gib: float
    max_enis: int
    """Network interfaces without ENI trunking; one is the instance's own, the rest serve awsvpc tasks."""
    on_demand_hourly: float
    gpus: int = 0
    """GPUs the instance offers to tasks (each task's GPUs are reserved whole)."""


@dataclass(frozen=True)
class FargateRate:
    vcpu_hour: float
    gb_hour: float


@dataclass(frozen=True)
class Prices:
    source: str
    checked: str
    checked_how: str
    hours_per_month: int
    fargate: dict[str, FargateRate]
    """By CPU architecture: ``x86_64`` or ``arm64``."""
    fargate_spot_discount: float
    ec2_spot_discount: float
    nat_gateway_hourly: float
    interface_endpoint_az_hourly: float
    """An interface VPC endpoint costs this per hour in each AZ it has a network interface in."""
    alb_hourly: float
    nlb_hourly: float
    efs_standard_gb_month: float
    efs_assumed_gb: float
    ebs_gp3_gb_month: float
    instance_types: dict[str, InstanceType]
    region_multipliers: dict[str, float]
    not_included: tuple[str, ...]
    notes: dict[str, str]

    def multiplier(self, region: str) -> tuple[float, str | None]:
        """The price multiplier of ``region`` and, when the table does not know it, a note saying so."""
        if region in self.region_multipliers:
            return self.region_multipliers[region], None
        return 1.0, f"no price multiplier known for {region}: us-east-1 prices used as they are"


def load_prices(path: Path | None = None) -> Prices:
    """The packaged table, or ``path`` (same format)."""
    text = path.read_text(encoding="utf-8") if path else resources.files(__package__).joinpath("prices.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return Prices(
        source=data["source"],
        checked=data["checked"],
        checked_how=data["checked_how"],
        hours_per_month=int(data["hours_per_month"]),
        fargate={arch: FargateRate(float(r["vcpu_hour"]), float(r["gb_hour"])) for arch, r in data["fargate"].items()},
        fargate_spot_discount=float(data["fargate_spot_discount"]),
        ec2_spot_discount=float(data["ec2_spot_discount"]),
        nat_gateway_hourly=float(data["nat_gateway_hourly"]),
        interface_endpoint_az_hourly=float(data["interface_endpoint_az_hourly"]),
        alb_hourly=float(data["alb_hourly"]),
        nlb_hourly=float(data["nlb_hourly"]),
        efs_standard_gb_month=float(data["efs_standard_gb_month"]),
        efs_assumed_gb=float(data["efs_assumed_gb"]),
        ebs_gp3_gb_month=float(data["ebs_gp3_gb_month"]),
        instance_types={
            **family_prices(data.get("instance_families", {})),
            **{
                name: InstanceType(
                    name=name,
                    vcpu=int(spec["vcpu"]),
                    memory_gib=float(spec["memory_gib"]),
                    max_enis=int(spec["max_enis"]),
                    on_demand_hourly=float(spec["on_demand_hourly"]),
                    gpus=_gpus(name),
                )
                for name, spec in data["instance_types"].items()
            },
        },
        region_multipliers={region: float(value) for region, value in data["region_multipliers"].items()},
        not_included=tuple(data["not_included"]),
        notes={key: str(value) for key, value in data.items() if key.endswith("_note")},
    )


def _gpus(name: str) -> int:
    facts = instance_types().get(name)
    return facts.gpus if facts is not None else 0


def family_prices(families: dict[str, dict[str, Any]], known: dict[str, InstanceSpec] | None = None) -> dict[str, InstanceType]:
    """Every size of each family, priced from the family's reference size in proportion to vCPUs (or memory).

    Sizes, memory and interfaces come from ``ecs_toolkit/data/instance_types.json``; a family whose reference
    size that file does not know raises, so the two data files cannot drift apart silently.
    """
    known = known if known is not None else instance_types()
    priced: dict[str, InstanceType] = {}
    for family, spec in families.items():
        reference = known.get(str(spec["reference"]))
        if reference is None or reference.name.split(".")[0] != family:
            raise ValueError(f"prices.json: family {family}: reference size {spec['reference']} is not in instance_types.json")
        by_memory = spec["scale_by"] == "memory"
        unit = float(spec["hourly"]) / (reference.memory_mib if by_memory else reference.vcpu)
        for name, facts in known.items():
            if name.split(".")[0] != family:
                continue
            priced[name] = InstanceType(
                name=name,
                vcpu=facts.vcpu,
                memory_gib=facts.memory_mib / 1024,
                max_enis=facts.max_enis,
                gpus=facts.gpus,
                on_demand_hourly=round(unit * (facts.memory_mib if by_memory else facts.vcpu), 5),
            )
    return priced
