"""verify on an app built from the constructs, with no manifest: workloads come from the templates' ECS services."""

from __future__ import annotations

import copy
from typing import Any

from ecs_toolkit.verify import verify
from ecs_toolkit.verify.findings import OPEN, UNINTENDED
from tests.verify.templates import SERVICE, assembly, att, config, platform, service


def _with_caller(template: dict[str, Any]) -> dict[str, Any]:
    """A second awsvpc service in the stack, with no port, whose group the first service's group admits on 8080."""
    resources = template["Resources"]
    resources["CallerGroup"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "caller tasks"}}
    definition = copy.deepcopy(resources["TaskDefinition"])
    definition["Properties"]["ContainerDefinitions"] = [{"Name": "caller", "Image": "busybox"}]
    resources["CallerDefinition"] = definition
    resources["CallerService"] = {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "TaskDefinition": {"Ref": "CallerDefinition"},
            "NetworkConfiguration": {"AwsvpcConfiguration": {"SecurityGroups": [att("CallerGroup")], "Subnets": ["subnet-1"]}},
        },
    }
    resources["FromCaller"] = {
        "Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {
            "GroupId": att("TaskGroup"),
            "SourceSecurityGroupId": att("CallerGroup"),
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
        },
    }
    return template


def test_services_are_found_by_stack_and_logical_id_and_the_load_balancer_paths_proven() -> None:
    findings = verify(assembly(platform(), service()))
    balanced = [f for f in findings if f.category in ("listener", "load balancer", "health check")]
    assert [(f.category, f.status) for f in balanced] == [("listener", OPEN), ("load balancer", OPEN), ("health check", OPEN)]
    assert f"{SERVICE}/Service" in balanced[1].path
    assert not [f for f in findings if f.failed]


def test_a_rule_between_two_services_is_reported_as_an_open_connection() -> None:
    findings = verify(assembly(platform(), _with_caller(service())))
    connections = [f for f in findings if f.category == "connection"]
    assert [(f.path, f.status) for f in connections] == [(f"{SERVICE}/CallerService -> {SERVICE}/Service (tcp/8080)", OPEN)]
    assert not [f for f in findings if f.failed]


def test_exposure_is_still_proven_without_a_manifest() -> None:
    template = _with_caller(service())
    template["Resources"]["FromOffice"] = {
        "Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {
            "GroupId": att("TaskGroup"),
            "CidrIp": "203.0.113.0/24",
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
        },
    }
    (exposure,) = [f for f in verify(assembly(platform(), template)) if f.category == "exposure"]
    assert exposure.status == UNINTENDED
    assert exposure.path == f"203.0.113.0/24 -> {SERVICE}/TaskGroup (tcp/22)"


def test_with_the_manifest_an_undeclared_rule_between_services_stays_unintended() -> None:
    findings = verify(assembly(platform(), _with_caller(service())), config())
    assert [f.status for f in findings if f.category == "exposure"] == [UNINTENDED]
