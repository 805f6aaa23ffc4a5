"""HTTPS manifests rehearse: the certificate the manifest names is stood in for, and a failed stack is named once."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ecs_toolkit.rehearsal import certificates
from ecs_toolkit.rehearsal.report import Rehearsal, render
from ecs_toolkit.rehearsal.verify import Outcome, ResourceResult, StackResult, Verification
from tests.e2e.test_rehearsal import run_rehearsal
from tests.e2e.test_rehearsal_parts import stack

pytestmark = pytest.mark.e2e

ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0b0e1c7e-1111-2222-3333-444455556666"


def test_the_https_example_deploys_its_listeners_redirect_and_tls_nlb_on_a_stand_in_certificate(tmp_path: Path) -> None:
    outcome, stacks, report = run_rehearsal("config/examples/fargate-only.yaml", tmp_path)

    assert outcome["passed"], report
    assert outcome["certificates"] == [ARN]
    assert (
        f"Certificates stood in for (self-signed, ISSUED, in the emulator's ACM under the ARN the manifest names):\n  {ARN}"
        in report
    )
    listeners = {
        r["logical_id"]: r["outcome"]
        for r in outcome["verification"]["resources"]
        if r["type"] == "AWS::ElasticLoadBalancingV2::Listener"
    }
    templates = {
        logical_id: resource.properties
        for stack_ in stacks
        for logical_id, resource in stack_.resources.items()
        if resource.type == "AWS::ElasticLoadBalancingV2::Listener"
    }
    assert set(listeners.values()) == {"verified"} and listeners.keys() == templates.keys()
    by_port = {(properties["Protocol"], properties["Port"]): properties for properties in templates.values()}
    # the redirect on 80, HTTPS on 443 (and the test listener of a traffic-shifting service), the ledger's TLS NLB
    assert {protocol for protocol, _ in by_port} == {"HTTP", "HTTPS", "TLS"}
    assert by_port[("HTTPS", 443)]["Certificates"] == [{"CertificateArn": ARN}]
    assert by_port[("HTTP", 80)]["DefaultActions"][0]["Type"] == "redirect"


def test_a_stand_in_is_issued_under_exactly_the_arn_the_templates_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")  # the emulator runs as the manifest's account
    listener = {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"Certificates": [{"CertificateArn": ARN}]}}
    nlb = {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"Certificates": [{"CertificateArn": ARN}]}}
    named = certificates.named_certificates([stack("shop-platform", {"Https": listener}), stack("shop-ledger", {"Tls": nlb})])
    assert named == [ARN]
    with mock_aws():
        assert certificates.provide(named) == [ARN]
        described = boto3.client("acm", region_name="eu-west-1").describe_certificate(CertificateArn=ARN)["Certificate"]
    assert (described["CertificateArn"], described["Status"], described["Type"]) == (ARN, "ISSUED", "IMPORTED")


def test_a_failed_stack_is_named_once_and_what_never_got_a_chance_is_not_counted_as_failed() -> None:
    stacks = [
        StackResult("shop-network", "CREATE_COMPLETE"),
        StackResult("shop-platform", "ROLLBACK_COMPLETE"),
        StackResult("shop-storefront", "NOT_FOUND"),
        StackResult("shop-ledger", "NOT_FOUND"),
    ]
    resources = [
        ResourceResult("shop-network", "Vpc", "AWS::EC2::VPC", Outcome.VERIFIED),
        *[
            ResourceResult("shop-platform", f"R{i}", "AWS::IAM::Role", Outcome.NOT_REACHED, "its stack did not deploy")
            for i in range(40)
        ],
        *[ResourceResult("shop-storefront", f"S{i}", "AWS::ECS::Service", Outcome.NOT_REACHED, "x") for i in range(31)],
    ]
    verification = Verification(stacks, resources)
    assert verification.failures == [
        "stack shop-platform: ROLLBACK_COMPLETE",
        "not deployed, because a stack they need failed first: shop-storefront, shop-ledger",
    ]
    rehearsal = Rehearsal(
        config="shop.yaml",
        emulator="moto",
        deploy_error="shop-platform CertificateNotFound: Certificate arn:aws:acm:... not found",
        verification=verification,
    )
    text = render(rehearsal)
    assert text.count("CertificateNotFound") == 1
    total = next(line for line in text.splitlines() if line.strip().startswith("total ("))
    assert total.split()[-5:] == ["1", "0", "0", "0", "71"]  # verified, unchecked, skipped, failed, not reached
    assert "not reached" in text.splitlines()[text.splitlines().index("Stacks") + 6]
