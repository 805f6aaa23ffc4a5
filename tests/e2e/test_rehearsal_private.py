"""The private example rehearsed: no NAT gateways, eleven endpoints, an internal load balancer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_rehearsal import run_rehearsal

pytestmark = pytest.mark.e2e


def test_the_private_example_deploys_and_every_resource_matches_its_template(tmp_path: Path) -> None:
    outcome, stacks, report = run_rehearsal("config/examples/private.yaml", tmp_path)

    assert outcome["passed"], report
    statuses = {stack["name"]: stack["status"] for stack in outcome["verification"]["stacks"]}
    assert statuses == {stack.name: "CREATE_COMPLETE" for stack in stacks}
    endpoints = [r for r in outcome["verification"]["resources"] if r["type"] == "AWS::EC2::VPCEndpoint"]
    assert len(endpoints) == 11
    assert not any(r["type"] == "AWS::EC2::NatGateway" for r in outcome["verification"]["resources"])
