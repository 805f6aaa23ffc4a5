"""SharedLoadBalancer: the environment's ALB, HTTP or HTTPS with a redirect, a 404 for unmatched requests."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import AlbRoute, EcsCluster, EcsService, ImportedLoadBalancer, SharedLoadBalancer
from tests.conftest import new_app
from tests.constructs.conftest import Example, container

CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"


def test_defaults_public_http_with_a_404_default_and_invalid_headers_dropped(example: Example) -> None:
    (balancer,) = example.resources("AWS::ElasticLoadBalancingV2::LoadBalancer", Scheme="internet-facing").values()
    attributes = {item["Key"]: item["Value"] for item in balancer["Properties"]["LoadBalancerAttributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    example.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [
                Match.object_like({"Type": "fixed-response", "FixedResponseConfig": Match.object_like({"StatusCode": "404"})})
            ],
        },
    )
    assert (example.built.alb.port, example.built.alb.https) == (80, False)


def test_clients_reach_only_the_listener_port(example: Example) -> None:
    group = example.template.to_json()["Resources"][example.logical_id(example.built.alb.security_group)]["Properties"]
    (ingress,) = group["SecurityGroupIngress"]
    assert (ingress["CidrIp"], ingress["FromPort"], ingress["ToPort"]) == ("0.0.0.0/0", 80, 80)


def test_with_a_certificate_https_on_443_and_port_80_redirects(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc, public=False, certificate_arn=CERTIFICATE)
    template = assertions.Template.from_stack(stack)
    assert (alb.port, alb.https) == (443, True)
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internal"})
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {"Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": CERTIFICATE}], "SslPolicy": Match.any_value()},
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {"Port": 80, "DefaultActions": [Match.object_like({"Type": "redirect"})]},
    )
    ingress = template.to_json()["Resources"][stack.get_logical_id(alb.security_group.node.default_child)]["Properties"]
    assert sorted(rule["FromPort"] for rule in ingress["SecurityGroupIngress"]) == [80, 443]
    assert all(rule["CidrIp"] != "0.0.0.0/0" for rule in ingress["SecurityGroupIngress"])  # internal: the VPC only


def test_a_test_listener_takes_its_own_port_and_admits_only_the_vpc_by_default(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    with pytest.raises(ValueError, match="test_port 443 is a production listener port"):
        SharedLoadBalancer(stack, "Taken", vpc=vpc, test_port=443)
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc, test_port=8080)
    template = assertions.Template.from_stack(stack)

    assert alb.test_listener is not None
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {"Port": 8080, "Protocol": "HTTP"})
    (group,) = [g for k, g in template.find_resources("AWS::EC2::SecurityGroup").items() if k.startswith("AlbSecurityGroup")]
    on_test_port = [rule for rule in group["Properties"]["SecurityGroupIngress"] if rule["FromPort"] == 8080]
    assert len(on_test_port) == 1 and on_test_port[0]["CidrIp"] != "0.0.0.0/0"


def test_an_imported_load_balancer_takes_rules_without_lookups_and_writes_nothing_into_its_group() -> None:
    stack = cdk.Stack(new_app(), "Imported")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    alb = ImportedLoadBalancer(
        stack,
        "Alb",
        load_balancer_arn=ALB_ARN,
        listener_arn=LISTENER_ARN,
        security_group_id="sg-0123456789abcdef0",
        dns_name="internal-shared-1.eu-west-1.elb.amazonaws.com",
        https=True,
    )
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    service = EcsService(
        stack, "Svc", cluster=cluster.cluster, vpc=vpc, containers=[container(8080)], fargate=True, cpu=256, memory_mib=512
    )
    AlbRoute(
        stack,
        "Route",
        service=service,
        vpc=vpc,
        listener=alb.listener,
        load_balancer_security_group=alb.security_group,
        priority=7,
        host="app.example.com",
    )
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 0)
    template.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 0)
    template.resource_count_is("AWS::S3::Bucket", 0)  # its access logs are its owner's
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::ListenerRule", {"ListenerArn": LISTENER_ARN, "Priority": 7})
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress", {"FromPort": 8080, "ToPort": 8080, "SourceSecurityGroupId": "sg-0123456789abcdef0"}
    )
    # Nothing is written into the imported group: no ingress or egress rule names it as its own.
    for kind in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
        assert not template.find_resources(kind, {"Properties": {"GroupId": "sg-0123456789abcdef0"}})
    assert alb.test_listener is None
    assert (alb.port, alb.full_name) == (443, "app/shared/0123456789abcdef")


ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/shared/0123456789abcdef"
LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/shared/0123456789abcdef/fedcba9876543210"


def test_an_imported_load_balancer_refuses_arns_and_ids_of_the_wrong_kind(stack: cdk.Stack) -> None:
    common = {
        "load_balancer_arn": ALB_ARN,
        "listener_arn": LISTENER_ARN,
        "security_group_id": "sg-0123456789abcdef0",
        "dns_name": "x.elb.amazonaws.com",
    }
    nlb = ALB_ARN.replace("/app/", "/net/")
    with pytest.raises(ValueError, match="is not an Application Load Balancer ARN"):
        ImportedLoadBalancer(stack, "Nlb", **{**common, "load_balancer_arn": nlb})
    with pytest.raises(ValueError, match="is not an Application Load Balancer listener ARN"):
        ImportedLoadBalancer(stack, "Listener", **{**common, "listener_arn": ALB_ARN})
    other = LISTENER_ARN.replace("app/shared/", "app/other/")
    with pytest.raises(
        ValueError, match="the listener belongs to app/other/0123456789abcdef, not to app/shared/0123456789abcdef"
    ):
        ImportedLoadBalancer(stack, "Other", **{**common, "listener_arn": other})
    with pytest.raises(ValueError, match=r"'default' is not a security group id \(sg-\.\.\.\)"):
        ImportedLoadBalancer(stack, "Group", **{**common, "security_group_id": "default"})
