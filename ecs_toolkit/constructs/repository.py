"""A private ECR repository for a team's images: scanned on push, immutable tags, KMS encryption, expiry rules."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct


class ImageRepository(Construct):
    """An ECR repository with the safe defaults on.

    Images are always encrypted with KMS: ``kms_key_arn`` names a customer managed key, otherwise ECR's
    AWS managed key (``aws/ecr``) is used (no key to manage, no monthly key charge). Lifecycle rules:
    untagged images expire ``untagged_expire_days`` after their push, and only the ``keep_last`` most
    recent images are kept. ``RemovalPolicy.DESTROY`` deletes the repository with its images
    (CloudFormation's ``EmptyOnDelete``, no custom resource).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository_name: str,
        scan_on_push: bool = True,
        immutable_tags: bool = True,
        keep_last: int | None = None,
        untagged_expire_days: int | None = None,
        kms_key_arn: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if keep_last is not None and keep_last < 1:
            raise ValueError(f"ImageRepository: keep_last must be at least 1, not {keep_last}")
        if untagged_expire_days is not None and untagged_expire_days < 1:
            raise ValueError(f"ImageRepository: untagged_expire_days must be at least 1, not {untagged_expire_days}")
        rules = []
        if untagged_expire_days is not None:
            rules.append(
                ecr.LifecycleRule(
                    rule_priority=1,
                    description=f"Untagged images expire {untagged_expire_days} days after their push",
                    tag_status=ecr.TagStatus.UNTAGGED,
                    max_image_age=Duration.days(untagged_expire_days),
                )
            )
        if keep_last is not None:
            rules.append(
                ecr.LifecycleRule(
                    rule_priority=len(rules) + 1,  # a rule on any tag status must come last
                    description=f"Keep the {keep_last} most recent images",
                    tag_status=ecr.TagStatus.ANY,
                    max_image_count=keep_last,
                )
            )
        destroy = removal_policy == RemovalPolicy.DESTROY
        self.repository = ecr.Repository(
            self,
            "Repository",
            repository_name=repository_name,
            image_scan_on_push=scan_on_push,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE if immutable_tags else ecr.TagMutability.MUTABLE,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=kms.Key.from_key_arn(self, "Key", kms_key_arn) if kms_key_arn else None,
            lifecycle_rules=rules or None,
            removal_policy=removal_policy,
            empty_on_delete=destroy or None,
        )
