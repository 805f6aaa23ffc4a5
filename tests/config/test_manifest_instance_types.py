"""Instance types from the shipped data file: unknown names, architecture, and agreement with plan's table."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from ecs_toolkit.config import derived
from ecs_toolkit.data import instance_data_source, instance_types
from ecs_toolkit.plan.prices import load_prices

GROUP = """\
name: test
cluster:
  capacity:
    ec2:
      - name: general
        instance_types: [{types}]
        max: 4
"""

FAMILIES = [
    "t3",
    "t3a",
    "t4g",
    "m5",
    "m5a",
    "m6i",
    "m6a",
    "m6g",
    "m7i",
    "m7g",
    "c5",
    "c6i",
    "c6g",
    "c7g",
    "c7i",
    "r5",
    "r6i",
    "r6g",
    "r7g",
    "g4dn",
    "g5",
]


def test_fails_on_an_unknown_size_with_the_nearest_sizes_of_its_family(manifest) -> None:
    assert manifest.problems(GROUP.format(types="t3.medium, t3.huge")) == [
        "6: cluster.capacity.ec2.0.instance_types.1: 't3.huge' is not an EC2 instance type: "
        "did you mean t3.large or t3.xlarge? (t3 sizes: nano, micro, small, medium, large, xlarge, 2xlarge)"
    ]


def test_fails_on_an_unknown_family_with_the_nearest_names(manifest) -> None:
    assert manifest.problems(GROUP.format(types="m9.large")) == [
        "6: cluster.capacity.ec2.0.instance_types.0: 'm9.large' is not an EC2 instance type: "
        "did you mean m9g.large or m9gd.large?"
    ]


def test_accepts_a_spot_group_of_one_type(manifest) -> None:
    text = GROUP.format(types="c7g.large") + "        spot: true\n"
    assert manifest.load(text).cluster.capacity.ec2[0].instance_types == ["c7g.large"]


@pytest.mark.parametrize("family", FAMILIES)
def test_the_data_has_the_families_people_run(family: str) -> None:
    sizes = [name for name in instance_types() if name.split(".")[0] == family]
    assert f"{family}.xlarge" in sizes and len(sizes) >= 5


def test_the_data_records_its_source_and_date() -> None:
    source, compiled = instance_data_source()
    assert "DescribeInstanceTypes" in source and compiled.startswith("20")
    raw = json.loads(resources.files("ecs_toolkit.data").joinpath("instance_types.json").read_text("utf-8"))
    assert set(raw) >= {"source", "compiled", "how", "fields", "instance_types"}


def test_the_data_holds_known_figures() -> None:
    known = instance_types()
    assert (known["t3.medium"].vcpu, known["t3.medium"].memory_mib, known["t3.medium"].max_enis) == (2, 4096, 3)
    assert (known["c5.large"].max_enis, known["m7g.large"].architecture, known["g4dn.xlarge"].gpus) == (3, "arm64", 1)
    assert known["m5.large"].cpu_units == 2048 and known["m5.large"].task_memory_mib == 8192 - 410


def test_architecture_comes_from_the_data_where_it_knows_the_type() -> None:
    # a1 is Graviton without the "g" suffix; the data knows, the naming rule is only the fallback.
    assert [derived.instance_architecture(name) for name in ("a1.large", "m7g.large", "m7i.large", "x9g.fake")] == [
        "arm64",
        "arm64",
        "x86_64",
        "arm64",
    ]
    mismatched = [name for name, spec in instance_types().items() if derived.instance_architecture(name) != spec.architecture]
    assert mismatched == []


def test_plan_prices_agree_with_the_instance_data() -> None:
    known = instance_types()
    for name, priced in load_prices().instance_types.items():
        spec = known[name]
        assert (priced.vcpu, int(priced.memory_gib * 1024), priced.max_enis) == (spec.vcpu, spec.memory_mib, spec.max_enis), name
