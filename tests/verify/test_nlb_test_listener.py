"""The NLB test listener of a traffic-shifting service (fargate-only example: ``ledger``, canary on its NLB)
is reachable from the clients the manifest names, and from nowhere else."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.assembly import Assembly, load_assembly
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.verify import verify
from ecs_toolkit.verify.findings import CLOSED, OPEN, UNINTENDED
from tests.conftest import ROOT, Synthesized, synthesize

STACK = "shop-ledger"
TEST_PORT = 8443


@pytest.fixture(scope="module")
def shop() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "fargate-only.yaml")


def _templates(shop: Synthesized) -> dict[str, dict[str, Any]]:
    assembly = load_assembly(Path(shop.assembly.directory))
    return {stack.name: copy.deepcopy(dict(stack.template)) for stack in assembly.stacks}


def _findings(shop: Synthesized, templates: dict[str, dict[str, Any]], config: EnvironmentConfig) -> list[tuple[str, str]]:
    assembly = Assembly.from_templates(templates, account=config.account, region=config.region)
    return [(finding.status, finding.path) for finding in verify(assembly, config) if str(TEST_PORT) in finding.path]


def _nlb_group(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (group,) = [
        resource["Properties"]
        for logical_id, resource in templates[STACK]["Resources"].items()
        if resource["Type"] == "AWS::EC2::SecurityGroup" and logical_id.startswith("NlbSecurityGroup")
    ]
    return group


def test_the_declared_clients_reach_the_test_listener(shop: Synthesized) -> None:
    config = shop.environment.config
    findings = _findings(shop, _templates(shop), config)

    assert [status for status, path in findings if path.startswith("test clients 203.0.113.0/24 -> nlb")] == [OPEN]
    assert all(status == OPEN for status, _ in findings), findings


def test_an_internet_rule_on_the_test_port_is_unintended(shop: Synthesized) -> None:
    templates = _templates(shop)
    _nlb_group(templates)["SecurityGroupIngress"].append(
        {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": TEST_PORT, "ToPort": TEST_PORT}
    )

    statuses = [status for status, path in _findings(shop, templates, shop.environment.config) if path.startswith("the internet")]
    assert statuses == [UNINTENDED]


def test_a_client_the_manifest_adds_but_the_template_lacks_is_closed(shop: Synthesized) -> None:
    config = shop.environment.config
    ledger = config.services["ledger"]
    assert ledger.nlb is not None
    nlb = ledger.nlb.model_copy(
        update={"test_listener": ledger.nlb.test_listener.model_copy(update={"allow_from": ["198.51.100.0/24"]})}
    )
    changed = config.model_copy(update={"services": {**config.services, "ledger": ledger.model_copy(update={"nlb": nlb})}})

    findings = _findings(shop, _templates(shop), changed)
    assert (CLOSED, f"test clients 198.51.100.0/24 -> nlb {STACK}/") in [(s, p.split("NlbLoadBalancer")[0]) for s, p in findings]
    assert any(status == UNINTENDED and "203.0.113.0/24" in path for status, path in findings)
