"""An S3 bucket that a load balancer writes its access logs to, and the switch that turns them on."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ecs_toolkit.compliance import acknowledge, skip_checkov, skip_checkov_on_cdk_provider

ALB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
"""ELB's log-delivery principal for ALBs, valid in every region (CDK's ``log_access_logs`` needs a region)."""
NLB_LOG_DELIVERY = "delivery.logs.amazonaws.com"
"""Network Load Balancers deliver through CloudWatch's log-delivery service."""
NONCURRENT_LOG_DAYS = 7
"""The bucket is versioned: a deleted or expired log stays recoverable this long."""
LOG_BUCKET_REASON = "This bucket is the destination of load balancer access logs; logging it again would only add a bucket"


class AccessLogBucket(Construct):
    """Encrypted (SSE-S3, which ELB requires), versioned, SSL-only, private, with an expiry rule."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retention: Duration = Duration.days(90),
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        days = retention.to_days(integral=False)
        if days < 1 or days != int(days):
            raise ValueError(
                f"AccessLogBucket: keep access logs a whole number of days, at least one (got {retention.to_human_string()})"
            )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=retention,
                    noncurrent_version_expiration=Duration.days(NONCURRENT_LOG_DAYS),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=removal_policy,
            auto_delete_objects=removal_policy == RemovalPolicy.DESTROY,
        )
        acknowledge(self.bucket, "AwsSolutions-S1", LOG_BUCKET_REASON)
        skip_checkov(self.bucket, "CKV_AWS_18", LOG_BUCKET_REASON)
        if removal_policy == RemovalPolicy.DESTROY:
            skip_checkov_on_cdk_provider(self, "Custom::S3AutoDeleteObjectsCustomResourceProvider")

    def enable_on(self, load_balancer: elbv2.BaseLoadBalancer, *, prefix: str) -> None:
        """Let ELB write under ``prefix`` and switch the load balancer's access logs on."""
        objects = self.bucket.arn_for_objects(f"{prefix}/AWSLogs/{cdk.Stack.of(self).account}/*")
        if isinstance(load_balancer, elbv2.NetworkLoadBalancer):
            delivery = iam.ServicePrincipal(NLB_LOG_DELIVERY)
            self.bucket.add_to_resource_policy(
                iam.PolicyStatement(principals=[delivery], actions=["s3:PutObject"], resources=[objects])
            )
            self.bucket.add_to_resource_policy(
                iam.PolicyStatement(principals=[delivery], actions=["s3:GetBucketAcl"], resources=[self.bucket.bucket_arn])
            )
        else:
            delivery = iam.ServicePrincipal(ALB_LOG_DELIVERY)
            self.bucket.add_to_resource_policy(
                iam.PolicyStatement(principals=[delivery], actions=["s3:PutObject"], resources=[objects])
            )
        load_balancer.set_attribute("access_logs.s3.enabled", "true")
        load_balancer.set_attribute("access_logs.s3.bucket", self.bucket.bucket_name)
        load_balancer.set_attribute("access_logs.s3.prefix", prefix)
        if self.bucket.policy is not None:
            # The load balancer checks that it may write to the bucket when the attribute is set.
            load_balancer.node.add_dependency(self.bucket.policy)

    def _allow(self, principal: iam.IPrincipal, action: str, resource: str) -> None:
        self.bucket.add_to_resource_policy(iam.PolicyStatement(principals=[principal], actions=[action], resources=[resource]))
