"""ImageRepository: an ECR repository scanned on push, with immutable tags, KMS encryption and expiry rules."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import RemovalPolicy, assertions

from ecs_toolkit.constructs import ImageRepository
from tests.conftest import new_app

KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b0e1c7e-1111-2222-3333-444455556666"


@pytest.fixture(scope="module")
def template() -> assertions.Template:
    stack = cdk.Stack(new_app(), "Repositories")
    ImageRepository(stack, "Defaults", repository_name="demo/defaults")
    ImageRepository(
        stack,
        "Everything",
        repository_name="demo/everything",
        scan_on_push=False,
        immutable_tags=False,
        keep_last=25,
        untagged_expire_days=3,
        kms_key_arn=KEY,
        removal_policy=RemovalPolicy.DESTROY,
    )
    return assertions.Template.from_stack(stack)


def _repository(template: assertions.Template, name: str) -> dict[str, object]:
    (found,) = [r for r in template.find_resources("AWS::ECR::Repository").values() if r["Properties"]["RepositoryName"] == name]
    return found


def test_defaults_scan_on_push_keep_tags_immutable_encrypt_with_the_aws_managed_key_and_retain(
    template: assertions.Template,
) -> None:
    repository = _repository(template, "demo/defaults")
    assert repository["Properties"] == {
        "RepositoryName": "demo/defaults",
        "ImageScanningConfiguration": {"ScanOnPush": True},
        "ImageTagMutability": "IMMUTABLE",
        "EncryptionConfiguration": {"EncryptionType": "KMS"},
    }
    assert repository["DeletionPolicy"] == "Retain"


def test_lifecycle_rules_expire_untagged_images_first_then_keep_the_last_images(template: assertions.Template) -> None:
    properties = _repository(template, "demo/everything")["Properties"]
    rules = json.loads(properties["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert rules == [
        {
            "rulePriority": 1,
            "description": "Untagged images expire 3 days after their push",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 3, "countUnit": "days"},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "Keep the 25 most recent images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 25},
            "action": {"type": "expire"},
        },
    ]


def test_a_customer_key_mutable_tags_and_destroy_with_its_images(template: assertions.Template) -> None:
    repository = _repository(template, "demo/everything")
    properties = repository["Properties"]
    assert properties["EncryptionConfiguration"] == {"EncryptionType": "KMS", "KmsKey": KEY}
    assert properties["ImageTagMutability"] == "MUTABLE"
    assert properties["ImageScanningConfiguration"] == {"ScanOnPush": False}
    assert properties["EmptyOnDelete"] is True  # CloudFormation empties it: no custom resource
    assert repository["DeletionPolicy"] == "Delete"
    template.resource_count_is("AWS::Lambda::Function", 0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"keep_last": 0}, "keep_last must be at least 1, not 0"),
        ({"untagged_expire_days": 0}, "untagged_expire_days must be at least 1, not 0"),
    ],
)
def test_refuses_expiry_rules_that_would_expire_everything(options: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ImageRepository(cdk.Stack(new_app(), "Bad"), "Repository", repository_name="demo/bad", **options)
