"""Predictive scaling and explicit Availability Zone rebalancing.

``manifest.service(body)`` puts the body's first line on line 12; ``FARGATE`` and ``EC2`` bodies are
valid as they are.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.config import derived

FARGATE = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
EC2 = "kind: backend\nimage: app\nport: 8080\ncapacity: [{provider: general}]\n"


def test_loads_predictive_scaling_with_an_increased_maximum(manifest) -> None:
    body = FARGATE + (
        "scaling:\n"
        "  max: 10\n"
        "  predictive: {metric: memory, target_percent: 70, max_capacity_breach: increase, max_capacity_buffer_percent: 10}\n"
    )

    scaling = manifest.load(manifest.service(body)).services["api"].scaling

    assert scaling is not None and scaling.predictive is not None and scaling.predictive.max_capacity_buffer_percent == 10


@pytest.mark.parametrize(
    "predictive",
    ["{target_percent: 70, max_capacity_breach: increase}", "{target_percent: 70, max_capacity_buffer_percent: 10}"],
)
def test_fails_when_the_capacity_buffer_comes_without_increase_or_the_other_way_round(manifest, predictive: str) -> None:
    body = FARGATE + f"scaling:\n  max: 10\n  predictive: {predictive}\n"

    assert manifest.problems(manifest.service(body)) == [
        "19: services.api.scaling.predictive.max_capacity_buffer_percent: is required with max_capacity_breach increase, "
        "and only then"
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (FARGATE, True),
        (EC2, False),  # the default placement packs by memory
        (EC2 + "placement: [spread-az, spread-instance]\n", True),
        (FARGATE + "deployment: {min_healthy_percent: 50, max_percent: 100}\n", False),
        (EC2 + "deployment: {az_rebalancing: false}\nplacement: [spread-az]\n", False),
    ],
)
def test_az_rebalancing_is_decided_for_every_service(manifest, body: str, expected: bool) -> None:
    config = manifest.load(manifest.service(body))

    assert derived.az_rebalancing(config.services["api"], derived.launch_of(config, config.services["api"])) is expected


def test_fails_when_rebalancing_is_asked_for_a_binpacked_service_or_without_room(manifest) -> None:
    binpacked = manifest.problems(manifest.service(EC2 + "deployment: {az_rebalancing: true}\n"))
    no_room = manifest.problems(
        manifest.service(FARGATE + "deployment: {az_rebalancing: true, min_healthy_percent: 50, max_percent: 100}\n")
    )

    assert binpacked == [
        "16: services.api.deployment.az_rebalancing: ECS does not rebalance services placed with binpack: "
        "drop binpack-* from placement or set az_rebalancing: false"
    ]
    assert no_room == [
        "17: services.api.deployment.az_rebalancing: rebalancing starts a task before it stops one, and max_percent 100 "
        "leaves no room: raise max_percent or set az_rebalancing: false"
    ]
