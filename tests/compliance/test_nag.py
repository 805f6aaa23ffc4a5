"""cdk-nag on every example manifest: nothing left, and every acknowledgement where it belongs."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest

from ecs_toolkit.checks import inventory, nag
from ecs_toolkit.compliance import MIN_REASON_LENGTH, acknowledge
from tests.compliance.common import nag_result, per_manifest


@pytest.mark.parametrize("manifest", per_manifest())
def test_no_cdk_nag_finding_is_left_unacknowledged(manifest: Path) -> None:
    left = nag_result(manifest).left
    assert not left, "unacknowledged cdk-nag findings:\n" + "\n".join(f"{f.rule_id} on {f.path}: {f.description}" for f in left)


@pytest.mark.parametrize("manifest", per_manifest())
def test_acknowledgements_account_for_every_finding_before_acknowledgement(manifest: Path) -> None:
    result = nag_result(manifest)
    acknowledgements = [ack for ack in result.acknowledgements if result.is_nag_rule(ack.rule_id)]
    unexplained = [f for f in result.raw if not any(ack.silences(f) for ack in acknowledgements)]
    assert not unexplained, "findings that no acknowledgement covers:\n" + "\n".join(
        f"{f.rule_id} on {f.path}" for f in unexplained
    )


@pytest.mark.parametrize("manifest", per_manifest())
def test_every_acknowledgement_sits_on_a_construct_below_its_stack_with_a_reason(manifest: Path) -> None:
    misplaced = [
        f"{ack.rule_id} on {ack.path} ({ack.scope_kind} {ack.construct_type}): {ack.reason!r}"
        for ack in nag_result(manifest).acknowledgements
        if ack.scope_kind != "construct" or len(ack.reason.strip()) < MIN_REASON_LENGTH
    ]
    assert not misplaced, "acknowledgements on a stack/app or without a reason:\n" + "\n".join(misplaced)


@pytest.mark.parametrize("manifest", per_manifest())
def test_every_acknowledgement_silences_a_finding(manifest: Path) -> None:
    result = nag_result(manifest)
    stale = [
        f"{ack.rule_id} on {ack.path}"
        for ack in result.acknowledgements
        if result.is_nag_rule(ack.rule_id) and not any(ack.silences(f) for f in result.raw)
    ]
    assert not stale, "acknowledgements that silence nothing (remove them or make them conditional):\n" + "\n".join(stale)


@pytest.mark.parametrize("manifest", per_manifest())
def test_every_acknowledgement_comes_from_an_acknowledge_call_in_the_source(manifest: Path) -> None:
    sites = [site for site in inventory.sites() if site.kind == "acknowledge"]
    orphans = [
        f"{ack.rule_id} on {ack.path}: {ack.reason!r}"
        for ack in nag_result(manifest).acknowledgements
        if not any(site.matches(ack.rule_id, ack.reason) for site in sites)
    ]
    assert not orphans, "acknowledgements made around ecs_toolkit.compliance.acknowledge():\n" + "\n".join(orphans)


def test_pack_names_always_start_with_aws_solutions_and_refuse_unknown_packs() -> None:
    assert nag.pack_names() == ["aws-solutions"]
    assert nag.pack_names(["hipaa", "aws-solutions", "hipaa", "pci-dss-3.2.1"]) == ["aws-solutions", "hipaa", "pci-dss-3.2.1"]
    with pytest.raises(ValueError, match="unknown compliance packs"):
        nag.pack_names(["sox"])


def test_rule_prefixes_name_each_pack() -> None:
    assert nag.rule_prefixes(["hipaa", "nist-800-53-r5", "pci-dss-3.2.1"]) == [
        "AwsSolutions-",
        "HIPAA.Security-",
        "NIST.800.53.R5-",
        "PCI.DSS.321-",
    ]


def test_acknowledge_refuses_a_reason_a_reviewer_cannot_check() -> None:
    with pytest.raises(ValueError, match="specific reason"):
        acknowledge(cdk.App(), "AwsSolutions-S1", "not needed")
