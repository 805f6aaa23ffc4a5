"""Exemptions in the source: made through the helpers only, each reasoned, each listed on the compliance page of the docs."""

from __future__ import annotations

from pathlib import Path

from ecs_toolkit.checks import inventory, readme
from ecs_toolkit.compliance import LOGS_ENCRYPTED_BY_SERVICE, MIN_REASON_LENGTH


def test_exemptions_go_through_the_compliance_helpers_only() -> None:
    direct = inventory.direct_exemptions()
    assert not direct, "use ecs_toolkit.compliance.acknowledge / skip_checkov instead of:\n" + "\n".join(direct)


MANIFEST_ACKNOWLEDGEMENTS = {("constructs/grants.py", "attach_role_policy"), ("stacks/addons.py", "_acknowledge")}
"""Where a manifest's own acknowledgements (task_role/execution_role/instance_role and addons ``acknowledge``) are applied:
the rule and the reason come from the manifest, whose model requires a rule id and a reason of 20 characters or more."""


def test_every_exemption_in_the_source_names_its_rule_and_gives_a_reason() -> None:
    problems = [
        f"{site.file}:{site.line}: {site.rule}: {site.reason}"
        for site in inventory.sites()
        if (site.file, site.owner) not in MANIFEST_ACKNOWLEDGEMENTS
        and (
            not any(literal for literal, _ in site.rule.pieces)
            or sum(len(text) for literal, text in site.reason.pieces if literal) < MIN_REASON_LENGTH
        )
    ]
    assert not problems, "\n".join(problems)


def test_the_compliance_page_lists_every_exemption_as_the_source_makes_it() -> None:
    region = readme.current(readme.PAGE.read_text())
    assert region is not None, f"{readme.PAGE} has no compliance section: run python -m ecs_toolkit.checks --write-docs"
    assert region == readme.render(), f"{readme.PAGE}'s tables are stale: run python -m ecs_toolkit.checks --write-docs"


SAMPLE = """
from ecs_toolkit.compliance import LOGS_ENCRYPTED_BY_SERVICE, acknowledge, skip_checkov


class Thing:
    def __init__(self, public, resource):
        acknowledge(
            self.group, "AwsSolutions-EC23", "Open to the world on the listener port only" if public else "Internal: only the VPC"
        )
        acknowledge(
            self.role, f"AwsSolutions-IAM5[Resource::{resource}]", "A trailing wildcard on purpose, " "objects under one prefix"
        )
        for check_id in ("CKV_AWS_2", "CKV_AWS_103"):
            skip_checkov(self.listener, check_id, "No certificate in the manifest, so plain HTTP")
        skip_checkov(self.logs, "CKV_AWS_158", LOGS_ENCRYPTED_BY_SERVICE)
"""


def test_sites_resolve_conditional_concatenated_formatted_looped_and_constant_strings(tmp_path: Path) -> None:
    (tmp_path / "constructs").mkdir()
    (tmp_path / "constructs" / "thing.py").write_text(SAMPLE)
    found = [(site.kind, site.owner, site.target, str(site.rule), str(site.reason)) for site in inventory.sites(tmp_path)]
    assert found == [
        ("acknowledge", "Thing", "self.group", "AwsSolutions-EC23", "Open to the world on the listener port only"),
        ("acknowledge", "Thing", "self.group", "AwsSolutions-EC23", "Internal: only the VPC"),
        (
            "acknowledge",
            "Thing",
            "self.role",
            "AwsSolutions-IAM5[Resource::{resource}]",
            "A trailing wildcard on purpose, objects under one prefix",
        ),
        ("skip_checkov", "Thing", "self.listener", "CKV_AWS_2", "No certificate in the manifest, so plain HTTP"),
        ("skip_checkov", "Thing", "self.listener", "CKV_AWS_103", "No certificate in the manifest, so plain HTTP"),
        ("skip_checkov", "Thing", "self.logs", "CKV_AWS_158", LOGS_ENCRYPTED_BY_SERVICE),
    ]
    formatted = inventory.sites(tmp_path)[2]
    assert formatted.matches(
        "AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/uploads/*]", "A trailing wildcard on purpose, objects under one prefix"
    )
    assert not formatted.matches("AwsSolutions-IAM5[Action::s3:*]", "A trailing wildcard on purpose, objects under one prefix")


def test_acknowledging_or_skipping_around_the_helpers_is_found(tmp_path: Path) -> None:
    (tmp_path / "bypass.py").write_text(
        "import aws_cdk as cdk\n"
        "cdk.Validations.of(x).acknowledge(cdk.Acknowledgment(id='AwsSolutions-S1', reason='r'))\n"
        "resource.add_metadata('checkov', {'skip': []})\n"
    )
    assert [line.split(":", 2)[1] for line in inventory.direct_exemptions(tmp_path)] == ["2", "3"]
