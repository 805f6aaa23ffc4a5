"""The emulator work-arounds the report lists: each only for the templates that rely on it."""

from __future__ import annotations

from typing import Any

from ecs_toolkit.rehearsal.fixes import STACK, has_dotted_get_att, relevant

DOTTED = {"Resources": {"Access": {"Properties": {"Resource": {"Fn::GetAtt": "Table.Arn"}}}}}
LISTED = {"Resources": {"Access": {"Properties": {"Resource": {"Fn::GetAtt": ["Table", "Arn"]}}}}}


def _reasons(*templates: tuple[list[str], dict[str, Any]]) -> list[str]:
    return [fix.reason for fix in relevant(templates)]


def test_the_dotted_get_att_form_is_found_anywhere_in_a_template() -> None:
    assert has_dotted_get_att(DOTTED)
    assert has_dotted_get_att({"Outputs": {"A": {"Value": [{"Fn::GetAtt": "Db.Endpoint.Address"}]}}})
    assert not has_dotted_get_att(LISTED)
    assert not has_dotted_get_att({"Resources": {"A": {"Properties": {"Name": "Table.Arn"}}}})


def test_a_fix_for_some_templates_is_listed_only_when_one_needs_it() -> None:
    dotted = [reason for reason in _reasons((["AWS::IAM::ManagedPolicy"], DOTTED)) if "Fn::GetAtt only as a list" in reason]
    assert len(dotted) == 1
    assert not [reason for reason in _reasons((["AWS::IAM::ManagedPolicy"], LISTED)) if "Fn::GetAtt only as a list" in reason]


def test_type_fixes_follow_the_resource_types_and_stack_fixes_always_apply() -> None:
    fixes = relevant([(["AWS::KMS::Key"], LISTED)])
    assert {fix.resource_type for fix in fixes} == {STACK, "AWS::KMS::Key"}
