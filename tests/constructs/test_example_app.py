"""The hand-written example app (examples/hand_written/app.py) passes the gates: cdk-nag, cfn-lint and verify."""

from __future__ import annotations

from pathlib import Path

from ecs_toolkit.assembly import load_assembly
from ecs_toolkit.checks import lint, nag
from ecs_toolkit.verify import verify
from ecs_toolkit.verify.findings import OPEN
from tests.constructs.conftest import Example


def test_no_cdk_nag_finding_is_left(example: Example) -> None:
    assert [(f.rule_id, f.path) for f in nag.findings(example.app)] == []


def test_cfn_lint_reports_nothing(example: Example) -> None:
    linted = lint.lint_templates([Path(s.template_full_path) for s in example.assembly.stacks], regions=["us-east-1"])
    assert [(i.rule_id, i.resource, i.message) for i in linted.issues] == []


def test_verify_without_a_manifest_proves_every_path_and_finds_nothing_unintended(example: Example) -> None:
    findings = verify(load_assembly(Path(example.assembly.directory)))
    assert [f.line() for f in findings if f.failed] == []
    web, api = (f"HandWritten/{example.logical_id(s.service)}" for s in (example.built.web, example.built.api))
    opened = {(f.category, f.path) for f in findings if f.status == OPEN}
    assert ("connection", f"{web} -> {api} (tcp/8080)") in opened
    assert (
        "load balancer",
        f"alb HandWritten/{example.logical_id(example.built.alb.load_balancer)} -> {web} tasks (tcp/61000-61999)",
    ) in opened
    assert ("file system", f"{api} -> file system {example.logical_id(example.built.files.file_system)} (tcp/2049)") in opened
