"""Cost arithmetic on hand-built facts with a made-up price table (round numbers, answers worked out by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.config import EnvironmentConfig, load_manifest
from ecs_toolkit.config.overlays import environment_manifests
from ecs_toolkit.plan import cost
from ecs_toolkit.plan.prices import load_prices
from ecs_toolkit.plan.templates import GroupFacts, read_environment
from tests.conftest import ROOT
from tests.plan.tiny import (
    NETWORK,
    PLATFORM,
    container,
    imported,
    manifest,
    network_template,
    platform_template,
    prices,
    service_template,
    task,
    task_definition,
)


def cents(value: float) -> object:
    """The estimate rounds each line to cents."""
    return pytest.approx(value, abs=0.005)


def group(**values: object) -> GroupFacts:
    spec: dict[str, object] = {
        "name": "g",
        "min_size": 0,
        "max_size": 4,
        "instance_types": ("small.large",),
        "on_demand_base": 0,
        "on_demand_percent_above_base": 100,
        "target_capacity_percent": 100,
        "root_volume_gib": 30,
        "host_port_range": None,
        **values,
    }
    return GroupFacts(**spec)  # type: ignore[arg-type]


def test_a_fargate_task_pays_vcpu_hours_and_gb_hours_of_its_architecture() -> None:
    table = prices()
    quarter = task(cpu=256, memory=512, mode="awsvpc")
    assert cost.fargate_task_hourly(quarter, table, spot=False) == pytest.approx(0.25 * 0.04 + 0.5 * 0.004)
    assert cost.fargate_task_hourly(quarter, table, spot=True) == pytest.approx((0.25 * 0.04 + 0.5 * 0.004) * 0.3)
    arm = quarter.__class__(**{**quarter.__dict__, "architecture": "arm64"})
    assert cost.fargate_task_hourly(arm, table, spot=False) == pytest.approx(0.25 * 0.032 + 0.5 * 0.0032)


def test_an_on_demand_group_pays_instance_hours_and_root_volumes() -> None:
    monthly = cost.group_monthly(group(), prices().instance_types["small.large"], 2, prices())
    assert monthly == pytest.approx(2 * 0.04 * 730 + 2 * 30 * 0.1)


def test_a_spot_group_pays_on_demand_for_its_base_and_the_spot_price_above() -> None:
    spot = group(on_demand_base=1, on_demand_percent_above_base=0)
    assert cost.on_demand_share(spot, 3) == 1
    monthly = cost.group_monthly(spot, prices().instance_types["small.large"], 3, prices())
    assert monthly == pytest.approx((1 + 2 * 0.5) * 0.04 * 730 + 3 * 30 * 0.1)


def _environment() -> tuple[EnvironmentConfig, dict[str, dict[str, Any]]]:
    config = manifest(
        {"web": {"launch": "ec2"}, "api": {}},
        [{"name": "mixed", "instance_types": ["small.large", "big.large"], "min": 1, "max": 5}],
    )
    templates: dict[str, dict[str, Any]] = {
        NETWORK: network_template(1, interface_endpoints=3, zones=2),
        PLATFORM: platform_template({"mixed": {"types": ["small.large", "big.large"], "min": 1, "max": 5}}),
        # 4 tasks of 1024 MiB: 3 fit on a small (2 instances), 7 on a big (1 instance).
        "tiny-web": service_template(
            task_definition(container(Memory=1024), NetworkMode="bridge"),
            desired=4,
            strategy=[{"CapacityProvider": imported("mixed"), "Weight": 1}],
        ),
        "tiny-api": service_template(
            task_definition(container(), Cpu="1024", Memory="2048", NetworkMode="awsvpc"),
            desired=3,
            strategy=[{"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1}, {"CapacityProvider": "FARGATE_SPOT", "Weight": 1}],
        ),
    }
    templates[PLATFORM]["Resources"]["Alb"] = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}}
    templates[PLATFORM]["Resources"]["Efs"] = {"Type": "AWS::EFS::FileSystem", "Properties": {}}
    return config, templates


def test_the_estimate_prices_every_line_at_minimum_and_maximum_scale() -> None:
    config, templates = _environment()
    facts = read_environment(config, templates)
    estimate = cost.estimate(facts, prices(), "us-east-1")
    lines = {line.item: line for line in estimate.lines}
    # Minimum: the cheaper way to hold 4 tasks: 2 small (2 x 0.04) beats 1 big (0.10); maximum: 5 big.
    mixed = lines["EC2 group mixed"]
    assert mixed.minimum == cents(2 * 0.04 * 730 + 2 * 30 * 0.1)
    assert mixed.minimum_detail == "2 x small.large (on-demand)"
    assert mixed.maximum == cents(5 * 0.10 * 730 + 5 * 30 * 0.1)
    # api: 1 vCPU / 2 GB; 3 tasks = FARGATE base 1, then 1 and 1.
    per_task = (1 * 0.04 + 2 * 0.004) * 730
    assert lines["Fargate api"].minimum == cents(2 * per_task + per_task * 0.3)
    assert lines["Fargate api"].minimum_detail == "2 FARGATE + 1 FARGATE_SPOT x 1 vCPU/2 GB"
    assert lines["NAT gateways"].minimum == cents(0.05 * 730)
    assert lines["VPC interface endpoints"].minimum == cents(3 * 2 * 0.01 * 730)
    assert lines["VPC interface endpoints"].minimum_detail == "6 x endpoint-AZ"
    assert lines["Application load balancers"].maximum == cents(0.02 * 730)
    assert lines["EFS storage"].minimum == cents(10 * 0.3)
    assert estimate.minimum == pytest.approx(sum(line.minimum for line in estimate.lines))


def test_the_region_multiplier_scales_every_line_and_an_unknown_region_says_so() -> None:
    config, templates = _environment()
    facts = read_environment(config, templates)
    home = cost.estimate(facts, prices(), "us-east-1")
    europe = cost.estimate(facts, prices(), "eu-west-1")
    elsewhere = cost.estimate(facts, prices(), "xx-nowhere-1")
    assert europe.maximum == pytest.approx(home.maximum * 1.1, abs=0.05)
    assert elsewhere.maximum == pytest.approx(home.maximum, abs=0.01)
    assert any("xx-nowhere-1" in note for note in elsewhere.notes)


def test_an_instance_type_without_a_price_is_named_and_left_out() -> None:
    line, notes = cost.group_line(group(instance_types=("mystery.large",)), [], prices())
    assert line is None
    assert notes == ["EC2 group g: no price for mystery.large in prices.json; left out of the estimate"]


def test_the_packaged_price_table_has_its_source_date_and_every_instance_type_the_examples_use() -> None:
    table = load_prices()
    assert table.source and table.checked and table.hours_per_month == 730
    manifests = [ROOT / "config" / "default.yaml", *environment_manifests(sorted((ROOT / "config" / "examples").glob("*.yaml")))]
    used = {t for path in manifests for g in load_manifest(Path(path)).cluster.capacity.ec2 for t in g.instance_types}
    assert used <= set(table.instance_types), used - set(table.instance_types)
    assert table.multiplier("us-east-1") == (1.0, None)


PUBLISHED = {
    # us-east-1 Linux on-demand list prices of sizes that are not a family's reference size.
    "m5.xlarge": 0.192,
    "m5.24xlarge": 4.608,
    "t3.large": 0.0832,
    "t3.nano": 0.0052,
    "c6g.4xlarge": 0.544,
    "r5.4xlarge": 1.008,
}


@pytest.mark.parametrize(("name", "hourly"), PUBLISHED.items())
def test_every_size_of_a_family_is_priced_in_proportion_to_its_reference(name: str, hourly: float) -> None:
    assert load_prices().instance_types[name].on_demand_hourly == pytest.approx(hourly)


@pytest.mark.parametrize(
    "family",
    [
        "t3",
        "t3a",
        "t4g",
        "m5",
        "m5a",
        "m6i",
        "m6a",
        "m6g",
        "m7i",
        "m7a",
        "m7g",
        "m4",
        "c5",
        "c6i",
        "c6g",
        "c7g",
        "r5",
        "r6i",
        "r6g",
        "r7g",
    ],
)
def test_the_families_people_run_are_priced_in_every_size_the_instance_data_knows(family: str) -> None:
    from ecs_toolkit.data import instance_types

    sizes = {name for name in instance_types() if name.split(".")[0] == family}
    priced = load_prices().instance_types
    assert len(sizes) >= 4 and sizes <= set(priced), sizes - set(priced)
    for name in sizes:  # the specs are the instance data's, so the two files cannot drift apart
        spec = instance_types()[name]
        assert (priced[name].vcpu, priced[name].memory_gib * 1024, priced[name].max_enis) == (
            spec.vcpu,
            spec.memory_mib,
            spec.max_enis,
        )


def test_a_family_whose_reference_size_the_instance_data_does_not_know_is_refused() -> None:
    from ecs_toolkit.plan.prices import family_prices

    with pytest.raises(ValueError, match=r"m99: reference size m99\.large is not in instance_types\.json"):
        family_prices({"m99": {"reference": "m99.large", "hourly": 0.1, "scale_by": "vcpu"}})


def test_a_group_that_can_reach_zero_costs_nothing_at_minimum_when_no_minimum_task_runs_on_it() -> None:
    config, templates = _environment()
    spot = {"types": ["small.large"], "min": 0, "max": 6, "spot": True}
    templates[PLATFORM] = platform_template({"mixed": {"types": ["small.large", "big.large"], "min": 1, "max": 5}, "spot": spot})
    templates[PLATFORM]["Resources"]["Alb"] = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}}
    # web keeps its 4 minimum tasks on the base provider; Spot takes only what scaling adds.
    templates["tiny-web"] = service_template(
        task_definition(container(Memory=1024), NetworkMode="bridge"),
        desired=4,
        strategy=[
            {"CapacityProvider": imported("mixed"), "Base": 4, "Weight": 0},
            {"CapacityProvider": imported("spot"), "Weight": 1},
        ],
    )
    config = manifest(
        {"web": {"launch": "ec2"}, "api": {}},
        [
            {"name": "mixed", "instance_types": ["small.large", "big.large"], "min": 1, "max": 5},
            {"name": "spot", "instance_types": ["small.large"], "max": 6, "spot": True},
        ],
    )
    lines = {line.item: line for line in cost.estimate(read_environment(config, templates), prices(), "us-east-1").lines}
    assert (lines["EC2 group spot"].minimum, lines["EC2 group spot"].minimum_detail) == (0, "0 x small.large (Spot)")
    assert lines["EC2 group spot"].maximum == cents(6 * 0.04 * 0.5 * 730 + 6 * 30 * 0.1)
