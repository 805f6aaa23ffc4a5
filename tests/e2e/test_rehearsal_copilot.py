"""The Copilot worked example rehearsed: the imported manifest (an image built from source, a DynamoDB addon, a topic
and a subscribed queue) deploys into the emulator, and every resource matches its template."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_rehearsal import run_rehearsal

pytestmark = pytest.mark.e2e


def test_the_imported_copilot_example_deploys_and_every_resource_matches_its_template(tmp_path: Path) -> None:
    outcome, stacks, report = run_rehearsal("config/examples/copilot-test.yaml", tmp_path)

    assert outcome["passed"], report
    statuses = {stack["name"]: stack["status"] for stack in outcome["verification"]["stacks"]}
    assert statuses == {stack.name: "CREATE_COMPLETE" for stack in stacks}
    deployed = {r["type"] for r in outcome["verification"]["resources"]}
    # The addon's table, the publisher's topic and the worker's queue are real resources in the emulator.
    assert {"AWS::DynamoDB::Table", "AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::ECS::Service"} <= deployed
