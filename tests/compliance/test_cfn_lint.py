"""cfn-lint on every synthesized template of every example manifest: no error, no warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_toolkit.checks import lint
from ecs_toolkit.compliance import MIN_REASON_LENGTH
from tests.compliance.common import config, per_manifest, template_paths


@pytest.mark.parametrize("manifest", per_manifest())
def test_cfn_lint_reports_no_error_or_warning(manifest: Path) -> None:
    paths = template_paths(manifest)
    assert paths, f"{manifest.name} synthesized no template"
    result = lint.lint_templates(paths, regions=[config(manifest).region or lint.DEFAULT_REGION])
    assert not result.issues, "cfn-lint:\n" + "\n".join(
        f"{issue.template}:{issue.line}: {issue.rule_id} {issue.resource}: {issue.message}" for issue in result.issues
    )


def test_every_ignored_lint_rule_is_a_warning_limited_to_some_resources_with_a_reason() -> None:
    for rule_id, rule in lint.IGNORED.items():
        assert rule_id.startswith("W"), f"{rule_id}: errors are fixed, never ignored"
        assert len(rule.reason) >= MIN_REASON_LENGTH, f"{rule_id}: give a reason"
        assert rule.logical_ids or rule.resource_types, f"{rule_id}: limit it to some resources"


def test_an_ignored_rule_covers_only_the_resources_it_names() -> None:
    provider_dependency = lint.IGNORED["W3005"]
    assert provider_dependency.covers("CustomVpcRestrictDefaultSGCustomResourceProviderHandlerDC833E5E", "AWS::Lambda::Function")
    assert provider_dependency.covers("JobStateMachineE2E0FF72", "AWS::StepFunctions::StateMachine")
    assert not provider_dependency.covers("ServiceTaskDefinition55FA0F15", "AWS::ECS::TaskDefinition")
    hardcoded_zone = lint.IGNORED["W3010"]
    assert hardcoded_zone.covers("NetworkVpcPublicSubnet1Subnet36933139", "AWS::EC2::Subnet")
    assert not hardcoded_zone.covers("FileSystemMountTarget1", "AWS::EFS::MountTarget")
