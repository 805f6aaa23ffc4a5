"""Image pulls on hand-built templates: the execution role must be allowed to pull from the image's repository."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_toolkit.verify import verify
from ecs_toolkit.verify.findings import CLOSED, OPEN
from ecs_toolkit.verify.iam import pulled_repository
from tests.verify.templates import assembly, config, platform, service

ASSET_IMAGE = {
    "Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/"
    "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}:" + "ab" * 32
}
BOOTSTRAP_REPOSITORY = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":ecr:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":repository/",
            {"Fn::Sub": "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}"},
        ],
    ]
}
DECLARED_IMAGE = {
    "Fn::Join": [
        "",
        [{"Ref": "AWS::AccountId"}, ".dkr.ecr.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}, "/tt/web:1.0"],
    ]
}


def _arn(repository: str) -> dict[str, Any]:
    parts = ["arn:", {"Ref": "AWS::Partition"}, ":ecr:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}]
    return {"Fn::Join": ["", [*parts, f":repository/{repository}"]]}


def _pull_finding(image: Any, resource: Any, actions: list[str] | None = None, token: bool = True) -> tuple[str, str, str]:
    template = service()
    template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Image"] = image
    statements = []
    if resource is not None:
        pull = actions or ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        statements.append({"Effect": "Allow", "Action": pull, "Resource": resource})
    if token:
        statements.append({"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"})
    template["Resources"]["ExecutionPolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {"Roles": [{"Ref": "ExecutionRole"}], "PolicyDocument": {"Statement": statements}},
    }
    (finding,) = [f for f in verify(assembly(platform(), template), config()) if ": pull " in f.path]
    return finding.path, finding.status, finding.detail


def test_a_built_image_is_pulled_from_the_bootstrap_repository_when_the_role_may() -> None:
    path, status, _ = _pull_finding(ASSET_IMAGE, BOOTSTRAP_REPOSITORY)
    assert (path, status) == ("app: pull the image built from source (bootstrap repository)", OPEN)


def test_a_built_image_is_closed_when_the_role_may_pull_from_another_repository() -> None:
    _, status, detail = _pull_finding(ASSET_IMAGE, _arn("tt/web"))
    assert status == CLOSED
    assert detail.startswith(
        "the execution role may not: ecr:BatchCheckLayerAvailability on arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:"
        "repository/cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}"
    )


def test_a_declared_repository_image_is_pulled_when_the_role_may() -> None:
    assert _pull_finding(DECLARED_IMAGE, _arn("tt/web"))[1:] == (OPEN, "the execution role may pull from tt/web")


@pytest.mark.parametrize(
    ("resource", "actions", "token", "missing"),
    [
        (None, None, True, "ecr:BatchCheckLayerAvailability on"),
        (_arn("tt/web-old"), None, True, "ecr:BatchGetImage on"),
        (_arn("tt/web"), ["ecr:BatchGetImage"], True, "ecr:BatchCheckLayerAvailability on"),
        (_arn("tt/web"), None, False, "ecr:GetAuthorizationToken on *"),
    ],
    ids=["no statement", "another repository", "a missing action", "no token"],
)
def test_a_declared_repository_image_is_closed_when_the_pull_is_not_granted(
    resource: Any, actions: list[str] | None, token: bool, missing: str
) -> None:
    _, status, detail = _pull_finding(DECLARED_IMAGE, resource, actions, token)
    assert status == CLOSED and missing in detail


def test_a_literal_ecr_image_matches_a_literal_or_a_token_partition() -> None:
    image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/api:3"
    literal = "arn:aws:ecr:eu-west-1:111122223333:repository/team/api"
    token = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ecr:eu-west-1:111122223333:repository/team/api"]]}
    assert _pull_finding(image, literal)[1] == OPEN
    assert _pull_finding(image, token)[1] == OPEN
    assert _pull_finding(image, literal.replace("eu-west-1", "eu-central-1"))[1] == CLOSED


@pytest.mark.parametrize("image", ["nginx", "public.ecr.aws/nginx/nginx:stable", "ghcr.io/team/app@sha256:" + "a" * 64])
def test_other_registries_need_no_ecr_permission(image: str) -> None:
    assert pulled_repository(image) is None
