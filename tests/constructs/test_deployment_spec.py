"""``DeploymentSpec``: the construct-level checks a hand-written CDK app gets without a manifest."""

from __future__ import annotations

import pytest
from aws_cdk import Duration

from ecs_toolkit.constructs.service import DeploymentSpec

HOOK = "arn:aws:lambda:eu-west-1:111122223333:function:smoke"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (DeploymentSpec(strategy="red-black"), "unknown deployment strategy"),
        (DeploymentSpec(min_healthy_percent=100, max_healthy_percent=100), "must exceed"),
        (DeploymentSpec(strategy="canary", canary_percent=0.0), "canary_percent"),
        (DeploymentSpec(strategy="linear", linear_step_percent=2.0), "linear_step_percent"),
        (DeploymentSpec(strategy="blue-green", bake_time=Duration.minutes(1441)), "bake_time"),
        (DeploymentSpec(strategy="linear", linear_interval=Duration.minutes(1500)), "intervals"),
        (DeploymentSpec(strategy="blue-green", hooks={"AFTER_EVERYTHING": HOOK}), "unknown lifecycle stages"),
        (DeploymentSpec(hooks={"POST_SCALE_UP": HOOK}), "need a blue-green, canary or linear"),
    ],
    ids=["strategy", "percents", "canary", "linear", "bake", "interval", "stage", "hooks-on-rolling"],
)
def test_rejects_what_ecs_rejects(spec: DeploymentSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec.validate()


@pytest.mark.parametrize(("strategy", "shifts"), [("rolling", False), ("blue-green", True), ("canary", True), ("linear", True)])
def test_only_rolling_keeps_one_target_group(strategy: str, shifts: bool) -> None:
    spec = DeploymentSpec(strategy=strategy, hooks={"PRE_SCALE_UP": HOOK} if shifts else {})

    spec.validate()
    assert spec.shifts_traffic is shifts
