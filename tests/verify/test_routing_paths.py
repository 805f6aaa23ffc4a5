"""The proof of the routing fields: a sidecar target port, a health-check port of its own, an imported ALB whose
security group is an outside id, and tasks that also take existing security groups."""

from __future__ import annotations

from typing import Any

from ecs_toolkit.verify import Finding, verify
from ecs_toolkit.verify.findings import ASSUMED, CLOSED, OPEN, UNINTENDED
from tests.verify.templates import PLATFORM, SERVICE, assembly, att, config, platform, service

ALB_GROUP = "sg-0123456789abcdef9"
LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/shared/0123456789abcdef/fedcba9876543210"
EXISTING = {
    "existing": {
        "arn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/shared/0123456789abcdef",
        "listener_arn": LISTENER_ARN,
        "security_group_id": ALB_GROUP,
        "dns_name": "internal-shared-1.eu-west-1.elb.amazonaws.com",
    }
}


def _lines(findings: list[Finding], *categories: str) -> list[tuple[str, str, str]]:
    return [(f.category, f.status, f.path) for f in findings if f.category in categories]


def _proxied(health_port: int | None = 8444, admit_health: bool = True) -> dict[str, Any]:
    """The service's target group sends to a ``proxy`` sidecar on 8443 (HTTPS), checked on ``health_port``."""
    template = service(port=8443, protocol="HTTPS")
    resources = template["Resources"]
    resources["TaskDefinition"]["Properties"]["ContainerDefinitions"] = [
        {"Name": "app", "Image": "app", "PortMappings": [{"ContainerPort": 8080, "Protocol": "tcp"}]},
        {"Name": "proxy", "Image": "envoy", "PortMappings": [{"ContainerPort": 8443, "Protocol": "tcp"}]},
    ]
    resources["Service"]["Properties"]["LoadBalancers"][0]["ContainerName"] = "proxy"
    if health_port is not None:
        resources["TargetGroup"]["Properties"].update(HealthCheckPort=str(health_port), HealthCheckProtocol="HTTPS")
        if admit_health:
            health = dict(resources["FromAlb"], Properties=dict(resources["FromAlb"]["Properties"]))
            health["Properties"].update(FromPort=health_port, ToPort=health_port)
            resources["FromAlbHealth"] = health
    return template


def test_alb_to_a_sidecar_target_and_its_health_check_port_are_proven_open() -> None:
    findings = verify(assembly(platform(), _proxied()), config(port=8080))
    assert _lines(findings, "load balancer", "health check") == [
        ("load balancer", OPEN, f"alb {PLATFORM}/Alb -> app tasks, container proxy (tcp/8443)"),
        ("health check", OPEN, f"alb {PLATFORM}/Alb checks app, container proxy (tcp/8444)"),
    ]
    assert not [f for f in findings if f.failed]


def test_a_health_check_port_the_tasks_do_not_admit_is_closed() -> None:
    findings = verify(assembly(platform(), _proxied(admit_health=False)), config(port=8080))
    (health,) = [f for f in findings if f.category == "health check"]
    assert health.status == CLOSED
    assert health.detail == f"no ingress rule on {SERVICE}/TaskGroup admits {PLATFORM}/AlbGroup on tcp/8444"


def test_a_sidecar_that_does_not_map_the_target_port_is_closed() -> None:
    template = _proxied()
    template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][1]["PortMappings"] = []
    findings = verify(assembly(platform(), template), config(port=8080))
    assert ("load balancer", CLOSED, "app: proxy port 8443") in _lines(findings, "load balancer")


def _imported_alb_service(admit: bool = True) -> dict[str, Any]:
    template = service()
    resources = template["Resources"]
    resources["Rule"]["Properties"]["ListenerArn"] = LISTENER_ARN
    if admit:
        resources["FromAlb"]["Properties"]["SourceSecurityGroupId"] = ALB_GROUP
    else:
        del resources["FromAlb"]
    return template


def test_an_imported_albs_outside_group_reaches_the_tasks_and_what_is_outside_is_assumed() -> None:
    findings = verify(assembly(platform(), _imported_alb_service()), config(load_balancer=EXISTING))
    label = "imported alb app/shared/0123456789abcdef"
    assert (("listener", ASSUMED, f"clients -> {label}")) in _lines(findings, "listener")
    traffic = [f for f in findings if f.category in ("load balancer", "health check")]
    assert [(f.category, f.status, f.path) for f in traffic] == [
        ("load balancer", OPEN, f"{label} -> app tasks (tcp/8080)"),
        ("health check", OPEN, f"{label} checks app (tcp/8080)"),
    ]
    assert traffic[0].detail == f"admitted on {SERVICE}/TaskGroup (the egress of {ALB_GROUP} is outside these templates)"
    assert not [f for f in findings if f.failed]


def test_without_the_rule_for_the_imported_group_the_path_is_closed() -> None:
    findings = verify(assembly(platform(), _imported_alb_service(admit=False)), config(load_balancer=EXISTING))
    (traffic,) = [f for f in findings if f.category == "load balancer"]
    assert traffic.status == CLOSED
    assert traffic.detail == f"no ingress rule on {SERVICE}/TaskGroup admits {ALB_GROUP} on tcp/8080"


def test_a_rule_for_an_outside_group_that_no_load_balancer_uses_is_unintended() -> None:
    template = service()
    template["Resources"]["Stray"] = {
        "Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {
            "GroupId": att("TaskGroup"),
            "SourceSecurityGroupId": ALB_GROUP,
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
        },
    }
    findings = verify(assembly(platform(), template), config())
    assert ("exposure", UNINTENDED, f"{ALB_GROUP} -> {SERVICE}/TaskGroup (tcp/8080)") in _lines(findings, "exposure")


def test_without_a_manifest_the_imported_albs_group_is_the_outside_group_its_targets_admit() -> None:
    findings = verify(assembly(platform(), _imported_alb_service()))
    assert not [f for f in findings if f.failed]
    (traffic,) = [f for f in findings if f.category == "load balancer"]
    assert traffic.status == OPEN
    assert ALB_GROUP in traffic.detail


def test_tasks_that_also_take_an_existing_group_are_still_proven_through_their_own() -> None:
    template = service()
    template["Resources"]["Service"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"].append(
        "sg-0f1e2d3c4b5a69788"
    )
    findings = verify(assembly(platform(), template), config(security_groups=["sg-0f1e2d3c4b5a69788"]))
    assert [f.status for f in findings if f.category in ("load balancer", "health check")] == [OPEN, OPEN]
    assert not [f for f in findings if f.failed]
