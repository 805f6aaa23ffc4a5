"""Cluster rules: EC2 capacity groups, capacity provider strategies, dynamic host ports, file systems."""

from __future__ import annotations

import textwrap

import pytest


def group(*lines: str) -> str:
    """A cluster with one EC2 group; ``lines`` start at line 6 (the group's name is line 5)."""
    body = "".join(f"        {line}\n" for line in lines)
    return "name: test\ncluster:\n  capacity:\n    ec2:\n      - name: general\n" + body


def test_fails_when_the_cluster_has_no_capacity(manifest) -> None:
    text = "name: test\ncluster:\n  capacity:\n    fargate: false\n"

    assert manifest.problems(text) == ["3: cluster.capacity: the cluster has no capacity: add an ec2 group or turn fargate on"]


def test_loads_an_ec2_only_cluster(manifest) -> None:
    config = manifest.load(group("instance_types: [m5.large]", "max: 2") + "    fargate: false\n")

    assert [g.name for g in config.cluster.capacity.ec2] == ["general"]
    assert config.cluster.capacity.fargate is False


def test_fails_when_a_group_name_is_defined_twice(manifest) -> None:
    text = (
        group("instance_types: [m5.large]", "max: 2")
        + "      - name: general\n        instance_types: [c5.large]\n        max: 2\n"
    )

    assert manifest.problems(text) == ["8: cluster.capacity.ec2.1.name: capacity group 'general' is defined twice"]


def test_fails_when_a_capacity_group_has_no_instance_type(manifest) -> None:
    assert manifest.problems(group("instance_types: []", "max: 2")) == [
        "6: cluster.capacity.ec2.0.instance_types: a capacity group needs at least one instance type"
    ]


def test_fails_when_a_capacity_group_omits_instance_types(manifest) -> None:
    assert manifest.problems(group("max: 2")) == ["5: cluster.capacity.ec2.0.instance_types: is required"]


def test_fails_when_instance_types_repeat(manifest) -> None:
    assert manifest.problems(group("instance_types: [m5.large, c5.large, m5.large]", "max: 2")) == [
        "6: cluster.capacity.ec2.0.instance_types: instance types repeat"
    ]


@pytest.mark.parametrize("types", ["[m7g.large, m5.large]", "[t4g.medium, t3a.medium]", "[c6gn.large, c6in.large]"])
def test_fails_when_a_group_mixes_arm64_and_x86_instance_types(manifest, types: str) -> None:
    assert manifest.problems(group(f"instance_types: {types}", "max: 2")) == [
        "6: cluster.capacity.ec2.0.instance_types: "
        "mixes arm64 (Graviton) and x86_64 instance types: use one architecture per group"
    ]


def test_accepts_several_graviton_families_in_one_group(manifest) -> None:
    config = manifest.load(group("instance_types: [m7g.large, c6gn.large, t4g.large, r8gd.large]", "max: 2"))

    assert len(config.cluster.capacity.ec2[0].instance_types) == 4


def test_fails_on_a_malformed_instance_type(manifest) -> None:
    assert manifest.problems(group("instance_types: [m5large]", "max: 2")) == [
        "6: cluster.capacity.ec2.0.instance_types.0: must be an EC2 instance type such as m5.large (got 'm5large')"
    ]


def test_fails_when_min_is_greater_than_max_in_an_ec2_group(manifest) -> None:
    assert manifest.problems(group("instance_types: [m5.large]", "min: 5", "max: 4")) == [
        "7: cluster.capacity.ec2.0.min: min 5 is greater than max 4"
    ]


def test_accepts_min_equal_to_max(manifest) -> None:
    config = manifest.load(group("instance_types: [m5.large]", "min: 4", "max: 4"))

    assert (config.cluster.capacity.ec2[0].min, config.cluster.capacity.ec2[0].max) == (4, 4)


def test_fails_when_a_group_omits_max(manifest) -> None:
    assert manifest.problems(group("instance_types: [m5.large]")) == ["5: cluster.capacity.ec2.0.max: is required"]


def test_fails_when_max_is_zero(manifest) -> None:
    assert manifest.problems(group("instance_types: [m5.large]", "max: 0")) == [
        "7: cluster.capacity.ec2.0.max: must be a whole number from 1 to 1000 (got 0)"
    ]


def test_fails_when_min_scaling_step_is_greater_than_max_scaling_step(manifest) -> None:
    text = group("instance_types: [m5.large]", "max: 4", "min_scaling_step: 5", "max_scaling_step: 2")

    assert manifest.problems(text) == [
        "8: cluster.capacity.ec2.0.min_scaling_step: min_scaling_step 5 is greater than max_scaling_step 2"
    ]


def test_fails_when_on_demand_base_is_set_on_a_non_spot_group(manifest) -> None:
    assert manifest.problems(group("instance_types: [m5.large]", "max: 4", "on_demand_base: 1")) == [
        "8: cluster.capacity.ec2.0.on_demand_base: applies to spot groups only"
    ]


def test_fails_when_on_demand_base_exceeds_max(manifest) -> None:
    text = group("instance_types: [m5.large]", "spot: true", "max: 4", "on_demand_base: 5")

    assert manifest.problems(text) == ["9: cluster.capacity.ec2.0.on_demand_base: on_demand_base 5 is greater than max 4"]


def test_accepts_on_demand_base_on_a_spot_group(manifest) -> None:
    config = manifest.load(group("instance_types: [m5.large]", "spot: true", "max: 4", "on_demand_base: 4"))

    assert config.cluster.capacity.ec2[0].on_demand_base == 4


# --- capacity provider strategies ----------------------------------------------------------

STRATEGY_CLUSTER = """\
name: test
cluster:
  capacity:
    fargate: true
    ec2:
      - name: general
        instance_types: [m5.large]
        max: 4
      - name: spot
        instance_types: [m5.large]
        spot: true
        max: 4
  default_strategy:
"""
"""Providers: general, spot, FARGATE, FARGATE_SPOT; the strategy's items start at line 14."""


def strategy(items: str) -> str:
    return STRATEGY_CLUSTER + textwrap.indent(textwrap.dedent(items), "    ")


def test_loads_a_valid_default_strategy(manifest) -> None:
    config = manifest.load(strategy("- {provider: general, base: 1, weight: 1}\n- {provider: spot, weight: 3}\n"))

    assert config.cluster.default_strategy is not None
    assert [(item.provider, item.base, item.weight) for item in config.cluster.default_strategy] == [
        ("general", 1, 1),
        ("spot", 0, 3),
    ]


def test_fails_on_an_unknown_capacity_provider_at_its_item(manifest) -> None:
    text = strategy("- {provider: general}\n- {provider: gpu}\n")

    assert manifest.problems(text) == [
        "15: cluster.default_strategy.1.provider: capacity provider 'gpu' is not in the cluster "
        "(have: general, spot, FARGATE, FARGATE_SPOT)"
    ]


def test_fails_when_two_providers_of_a_strategy_have_a_base(manifest) -> None:
    text = strategy("- {provider: general, base: 1}\n- {provider: spot, base: 1}\n")

    assert manifest.problems(text) == ["13: cluster.default_strategy: only one provider of a strategy can have a base"]


def test_fails_when_every_weight_of_a_strategy_is_zero(manifest) -> None:
    text = strategy("- {provider: general, base: 1, weight: 0}\n- {provider: spot, weight: 0}\n")

    assert manifest.problems(text) == ["13: cluster.default_strategy: at least one provider needs a weight above 0"]


def test_fails_when_a_strategy_mixes_fargate_and_ec2(manifest) -> None:
    text = strategy("- {provider: FARGATE}\n- {provider: general}\n")

    assert manifest.problems(text) == ["13: cluster.default_strategy: a strategy cannot mix Fargate and EC2 capacity providers"]


def test_fails_when_a_provider_appears_twice_in_a_strategy(manifest) -> None:
    text = strategy("- {provider: FARGATE_SPOT, weight: 1}\n- {provider: FARGATE_SPOT, weight: 2}\n")

    assert manifest.problems(text) == ["13: cluster.default_strategy: a capacity provider appears twice"]


def test_fails_on_an_empty_strategy(manifest) -> None:
    text = STRATEGY_CLUSTER.replace("default_strategy:\n", "default_strategy: []\n")

    assert manifest.problems(text) == ["13: cluster.default_strategy: a capacity provider strategy needs at least one provider"]


def test_fails_on_fargate_in_a_strategy_when_fargate_is_off(manifest) -> None:
    text = group("instance_types: [m5.large]", "max: 2") + "    fargate: false\n  default_strategy: [{provider: FARGATE}]\n"

    assert manifest.problems(text) == [
        "9: cluster.default_strategy.0.provider: capacity provider 'FARGATE' is not in the cluster (have: general)"
    ]


def test_fails_on_a_provider_name_in_the_wrong_case(manifest) -> None:
    text = strategy("- {provider: Fargate}\n")

    assert manifest.problems(text) == [
        "14: cluster.default_strategy.0.provider: must be FARGATE, FARGATE_SPOT or an EC2 group's name "
        "(2 to 32 lower-case letters, digits and hyphens) (got 'Fargate')"
    ]


# --- dynamic host port range -------------------------------------------------------------------


def port_range(start: int, end: int) -> str:
    """``start`` on line 4, ``end`` on line 5; the range itself on line 3."""
    return f"name: test\ncluster:\n  host_port_range:\n    start: {start}\n    end: {end}\n"


def test_accepts_the_default_host_port_range(manifest) -> None:
    config = manifest.load("name: test\n")

    assert (config.cluster.host_port_range.start, config.cluster.host_port_range.end) == (61000, 61999)


def test_fails_when_the_host_port_range_is_reversed(manifest) -> None:
    assert manifest.problems(port_range(62000, 61000)) == [
        "4: cluster.host_port_range.start: start 62000 is greater than end 61000"
    ]


def test_fails_when_the_host_port_range_is_smaller_than_64_ports(manifest) -> None:
    assert manifest.problems(port_range(61000, 61062)) == [
        "3: cluster.host_port_range: 63 ports: keep at least 64 for dynamic host ports"
    ]


def test_accepts_a_host_port_range_of_exactly_64_ports(manifest) -> None:
    config = manifest.load(port_range(61000, 61063))

    assert config.cluster.host_port_range.end == 61063


def test_fails_when_the_host_port_range_starts_below_1024(manifest) -> None:
    assert manifest.problems(port_range(1000, 1100)) == [
        "4: cluster.host_port_range.start: dynamic host ports must start at 1024 or above"
    ]


@pytest.mark.parametrize(
    ("start", "end", "clashes"),
    [(51600, 51700, "[51678, 51679, 51680]"), (2000, 2400, "[2375, 2376]"), (51680, 51800, "[51680]")],
)
def test_fails_when_the_host_port_range_includes_reserved_ports(manifest, start: int, end: int, clashes: str) -> None:
    assert manifest.problems(port_range(start, end)) == [
        f"3: cluster.host_port_range: includes ports reserved by the ECS agent and Docker: {clashes}"
    ]


def test_reports_every_problem_of_a_host_port_range_from_1(manifest) -> None:
    assert manifest.problems(port_range(1, 3000)) == [
        "3: cluster.host_port_range: includes ports reserved by the ECS agent and Docker: [22, 2375, 2376]",
        "4: cluster.host_port_range.start: dynamic host ports must start at 1024 or above",
    ]


# --- file systems ------------------------------------------------------------------------


def file_system(*lines: str) -> str:
    """One file system ``data`` on line 3; ``lines`` start at line 4."""
    return "name: test\nfile_systems:\n  data:\n" + "".join(f"    {line}\n" for line in lines)


def test_loads_a_file_system_with_defaults(manifest) -> None:
    config = manifest.load("name: test\nfile_systems:\n  data: {}\n")

    assert config.file_systems["data"].throughput_mode == "elastic"


def test_fails_when_provisioned_throughput_mode_has_no_throughput(manifest) -> None:
    assert manifest.problems(file_system("throughput_mode: provisioned")) == [
        "3: file_systems.data.provisioned_throughput_mibps: is required with throughput_mode provisioned, and only then"
    ]


def test_fails_when_provisioned_throughput_is_set_without_provisioned_mode(manifest) -> None:
    assert manifest.problems(file_system("provisioned_throughput_mibps: 100")) == [
        "4: file_systems.data.provisioned_throughput_mibps: is required with throughput_mode provisioned, and only then"
    ]


def test_accepts_provisioned_throughput_with_provisioned_mode(manifest) -> None:
    config = manifest.load(file_system("throughput_mode: provisioned", "provisioned_throughput_mibps: 100"))

    assert config.file_systems["data"].provisioned_throughput_mibps == 100


def test_fails_when_max_io_uses_elastic_throughput(manifest) -> None:
    # elastic is the default throughput mode, so max_io alone is enough to trip the rule
    assert manifest.problems(file_system("performance_mode: max_io")) == [
        "4: file_systems.data.performance_mode: max_io does not support elastic throughput: use bursting or provisioned"
    ]


def test_accepts_max_io_with_bursting_throughput(manifest) -> None:
    config = manifest.load(file_system("performance_mode: max_io", "throughput_mode: bursting"))

    assert config.file_systems["data"].performance_mode == "max_io"
