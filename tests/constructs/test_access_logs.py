"""AccessLogBucket: the load balancer's encrypted, versioned, SSL-only log bucket, and the switch that turns logs on."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, RemovalPolicy, assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import AccessLogBucket
from ecs_toolkit.constructs.access_logs import ALB_LOG_DELIVERY, NLB_LOG_DELIVERY
from tests.constructs.conftest import Example


def _bucket(example: Example) -> dict[str, object]:
    bucket = example.built.alb.access_logs.bucket
    properties: dict[str, object] = example.template.to_json()["Resources"][example.logical_id(bucket)]["Properties"]
    return properties


def test_defaults_sse_s3_versioned_private_with_a_90_day_expiry(example: Example) -> None:
    properties = _bucket(example)
    assert properties["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = properties["LifecycleConfiguration"]["Rules"]  # type: ignore[index]
    assert rule["ExpirationInDays"] == 90 and rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}


def test_enable_on_an_alb_lets_elb_write_under_the_prefix_and_turns_logs_on(example: Example) -> None:
    example.template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Principal": {"Service": ALB_LOG_DELIVERY}, "Action": "s3:PutObject"})]
                )
            }
        },
    )
    example.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {
            "LoadBalancerAttributes": Match.array_with(
                [{"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.prefix", "Value": "alb"}]
            )
        },
    )


def test_enable_on_an_nlb_uses_the_log_delivery_service_and_a_destroyable_bucket_empties_itself(
    stack: cdk.Stack, vpc: ec2.IVpc
) -> None:
    logs = AccessLogBucket(stack, "Logs", retention=Duration.days(3), removal_policy=RemovalPolicy.DESTROY)
    logs.enable_on(elbv2.NetworkLoadBalancer(stack, "Nlb", vpc=vpc), prefix="nlb")
    template = assertions.Template.from_stack(stack)
    (policy,) = template.find_resources("AWS::S3::BucketPolicy").values()
    actions = {
        statement["Action"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": NLB_LOG_DELIVERY}
    }
    assert actions == {"s3:PutObject", "s3:GetBucketAcl"}
    template.resource_count_is("Custom::S3AutoDeleteObjects", 1)


@pytest.mark.parametrize("retention", [Duration.days(0), Duration.hours(12), Duration.hours(36)])
def test_refuses_to_keep_logs_less_than_a_day_or_part_days(stack: cdk.Stack, retention: Duration) -> None:
    with pytest.raises(ValueError, match=r"keep access logs a whole number of days, at least one \(got"):
        AccessLogBucket(stack, "Logs", retention=retention)
