"""Declared connections become exactly their ingress rules, in stacks that keep the graph acyclic."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.config import load_manifest
from tests.conftest import ROOT, Synthesized, synthesize, synthesize_config

MUTUAL = """\
name: mutual
cluster:
  capacity:
    fargate: true
    ec2: [{name: general, instance_types: [m5.large], max: 3}]
services:
  alpha:
    kind: backend
    image: redis
    port: 7000
    cpu: 256
    memory_mib: 512
    connects_to: [beta]
    allow_from: [10.9.0.0/16, pl-0123abcd]
  beta:
    kind: backend
    image: redis
    port: 7001
    cpu: 256
    memory_mib: 512
    connects_to: [alpha, gamma]
  gamma:
    kind: backend
    image: redis
    port: 7002
    launch: ec2
    capacity: [{provider: general}]
    allow_from: [10.9.0.0/16]
  one:
    kind: worker
    image: busybox
    launch: ec2
    capacity: [{provider: general}]
    connects_to: [gamma, alpha]
  two:
    kind: worker
    image: busybox
    launch: ec2
    capacity: [{provider: general}]
    connects_to: [gamma, alpha]
"""


@pytest.fixture(scope="module")
def mutual(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    path: Path = tmp_path_factory.mktemp("connections") / "mutual.yaml"
    path.write_text(textwrap.dedent(MUTUAL))
    return synthesize_config(load_manifest(path))


def _ingress(synthesized: Synthesized) -> list[tuple[str, dict[str, Any]]]:
    return [
        (stack.stack_name, resource["Properties"])
        for stack in synthesized.environment.stacks
        for resource in synthesized.template_json(stack.stack_name)["Resources"].values()  # type: ignore[attr-defined]
        if resource["Type"] == "AWS::EC2::SecurityGroupIngress"
    ]


def _described(synthesized: Synthesized, text: str) -> list[tuple[str, dict[str, Any]]]:
    return [(stack, props) for stack, props in _ingress(synthesized) if text in props.get("Description", "")]


def test_backend_admits_exactly_its_declared_callers_on_its_port(default_env: Synthesized) -> None:
    """orders is called by web (bridge: both EC2 groups), api and queue (awsvpc): four rules, nothing else."""
    orders_group = "ServiceSecurityGroupC96ED6A7"
    rules = [
        (stack, props)
        for stack, props in _ingress(default_env)
        if (stack == "demo-orders" and props["GroupId"] == {"Fn::GetAtt": [orders_group, "GroupId"]})
        or "orders:ExportsOutputFnGetAttServiceSecurityGroup" in json.dumps(props["GroupId"])
    ]
    assert sorted(props["Description"] for _, props in rules) == [
        "api calls orders",
        "queue calls orders",
        "web calls orders",
        "web calls orders",
    ]
    assert {(props["IpProtocol"], props["FromPort"], props["ToPort"]) for _, props in rules} == {("tcp", 6379, 6379)}
    sources = sorted(json.dumps(props["SourceSecurityGroupId"]) for _, props in rules)
    assert any("Ec2Groupondemand" in source for source in sources)
    assert any("Ec2Groupspot" in source for source in sources)
    assert any("demo-api:" in source for source in sources)


def test_services_nobody_declares_get_no_connection_rule(default_env: Synthesized) -> None:
    described = [props["Description"] for _, props in _ingress(default_env)]
    assert not [text for text in described if "calls" in text and "orders" not in text]


def test_rule_lands_in_the_later_stack_so_mutual_calls_have_no_cycle(mutual: Synthesized) -> None:
    """alpha <-> beta: both rules in beta's stack (later in the manifest); synth would fail on a cycle."""
    stacks = {props["Description"]: stack for stack, props in _described(mutual, "calls")}
    assert stacks["alpha calls beta"] == "mutual-beta"
    assert stacks["beta calls alpha"] == "mutual-beta"
    assert stacks["beta calls gamma"] == "mutual-beta"


def test_awsvpc_caller_reaches_bridge_callee_on_the_pinned_host_port_range(mutual: Synthesized) -> None:
    (rule,) = [props for _, props in _described(mutual, "beta calls gamma")]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 61000, 61999)
    assert "Ec2GroupgeneralSecurityGroup" in json.dumps(rule["GroupId"])


def test_identical_rules_of_two_callers_on_one_group_are_written_once(mutual: Synthesized) -> None:
    """one and two both run on the general group and call gamma: one self-referencing rule in the platform."""
    rules = _described(mutual, "calls gamma")
    instance_rules = [(stack, props) for stack, props in rules if "Ec2Groupgeneral" in json.dumps(props["SourceSecurityGroupId"])]
    assert [(stack, props["Description"]) for stack, props in instance_rules] == [("mutual-platform", "one calls gamma")]
    callers_of_alpha = sorted(props["Description"] for _, props in _described(mutual, "calls alpha"))
    assert callers_of_alpha == ["beta calls alpha", "one calls alpha"]


def test_allow_from_admits_each_cidr_and_prefix_list_on_the_port(mutual: Synthesized) -> None:
    rules = {
        (props["Description"], props.get("CidrIp"), props.get("SourcePrefixListId"), props["FromPort"], stack)
        for stack, props in _described(mutual, "may call")
    }
    assert rules == {
        ("10.9.0.0/16 may call alpha", "10.9.0.0/16", None, 7000, "mutual-alpha"),
        ("pl-0123abcd may call alpha", None, "pl-0123abcd", 7000, "mutual-alpha"),
        ("10.9.0.0/16 may call gamma", "10.9.0.0/16", None, 61000, "mutual-platform"),
    }


def test_service_connect_callers_join_the_namespace_as_clients() -> None:
    shop = synthesize(ROOT / "config" / "examples" / "fargate-only.yaml")
    template = shop.template_json("shop-storefront")
    (service,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"]  # type: ignore[attr-defined]
    connect = service["Properties"]["ServiceConnectConfiguration"]
    assert connect["Enabled"] is True
    assert "Services" not in connect
