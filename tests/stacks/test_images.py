"""Images in the templates: a build is an image asset in the bootstrap repository, a declared repository is ECR in
the platform stack, and each execution role may pull from exactly the repository its task names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Synthesized, synthesize

ASSET_IMAGE = re.compile(
    r"^\$\{AWS::AccountId\}\.dkr\.ecr\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}/"
    r"cdk-hnb659fds-container-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}:(?P<hash>[0-9a-f]{64})$"
)
BOOTSTRAP_REPOSITORY_ARN = {
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
PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


@pytest.fixture(scope="module")
def private_env() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "private.yaml")


def _resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def _images(template: dict[str, Any]) -> list[Any]:
    (task_definition,) = _resources(template, "AWS::ECS::TaskDefinition").values()
    return [container["Image"] for container in task_definition["Properties"]["ContainerDefinitions"]]


def _ecr_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The execution role's statements that mention ECR."""
    (policy,) = [p for key, p in _resources(template, "AWS::IAM::Policy").items() if "ExecutionRoleDefaultPolicy" in key]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    return [s for s in statements if any(str(a).startswith("ecr:") for a in _listed(s["Action"]))]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- a build: the default manifest's nightly-report job ------------------------------------


def test_a_built_image_is_the_asset_in_the_bootstrap_repository(default_env: Synthesized) -> None:
    template = default_env.template_json("demo-nightly-report")
    (image,) = _images(template)
    match = ASSET_IMAGE.match(image["Fn::Sub"])
    assert match is not None, image
    assets = json.loads((Path(default_env.assembly.directory) / "demo-nightly-report.assets.json").read_text())
    (asset_id,) = assets["dockerImages"]
    assert asset_id == match["hash"]
    source = assets["dockerImages"][asset_id]["source"]
    assert source["platform"] == "linux/amd64"  # the job's architecture (x86_64)
    staged = Path(default_env.assembly.directory) / source["directory"]
    assert (staged / "Dockerfile").read_text() == (ROOT / "examples/apps/nightly-report/Dockerfile").read_text()
    assert (staged / "report.sh").is_file()


def test_the_execution_role_may_pull_exactly_the_bootstrap_repository(default_env: Synthesized) -> None:
    statements = _ecr_statements(default_env.template_json("demo-nightly-report"))
    assert statements == [
        {"Action": PULL, "Effect": "Allow", "Resource": BOOTSTRAP_REPOSITORY_ARN},
        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},  # no resource scoping exists
    ]


def test_a_service_of_public_images_gets_no_ecr_permission(default_env: Synthesized) -> None:
    assert _ecr_statements(default_env.template_json("demo-queue")) == []


# --- a declared repository: the private example's portal -----------------------------------


def test_the_declared_repository_is_in_the_platform_stack_with_the_safe_settings(private_env: Synthesized) -> None:
    template = private_env.template_json("intranet-platform")
    repositories = {r["Properties"]["RepositoryName"]: r for r in _resources(template, "AWS::ECR::Repository").values()}
    assert set(repositories) == {"intranet/portal", "intranet/directory-sync", "intranet/transcribe"}
    repository = repositories["intranet/portal"]
    properties = repository["Properties"]
    assert properties["RepositoryName"] == "intranet/portal"
    assert properties["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert properties["ImageTagMutability"] == "IMMUTABLE"
    assert properties["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    assert repository["DeletionPolicy"] == "Retain"  # not ephemeral
    assert "EmptyOnDelete" not in properties
    rules = json.loads(properties["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert [(r["rulePriority"], r["selection"]) for r in rules] == [
        (1, {"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 7, "countUnit": "days"}),
        (2, {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}),
    ]
    assert "RepositoryPortalUri" in template["Outputs"]


def test_the_portal_runs_the_tag_of_its_repository_and_may_pull_only_from_it(private_env: Synthesized) -> None:
    template = private_env.template_json("intranet-portal")
    assert _images(template) == [
        {"Fn::Join": ["", ["111122223333.dkr.ecr.eu-central-1.", {"Ref": "AWS::URLSuffix"}, "/intranet/portal:2.3.0"]]}
    ]
    assert _ecr_statements(template) == [
        {"Action": PULL, "Effect": "Allow", "Resource": "arn:aws:ecr:eu-central-1:111122223333:repository/intranet/portal"},
        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
    ]


def test_the_sync_worker_runs_a_digest_of_its_repository_and_may_pull_only_from_it(private_env: Synthesized) -> None:
    template = private_env.template_json("intranet-sync")
    digest = "sha256:6f1c0e5b2a9d4c8e7b3a1f0d9c8b7a6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a"
    image = f"/intranet/directory-sync@{digest}"
    assert _images(template) == [{"Fn::Join": ["", ["111122223333.dkr.ecr.eu-central-1.", {"Ref": "AWS::URLSuffix"}, image]]}]
    repository = "arn:aws:ecr:eu-central-1:111122223333:repository/intranet/directory-sync"
    assert _ecr_statements(template) == [
        {"Action": PULL, "Effect": "Allow", "Resource": repository},
        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
    ]


# --- synth needs no Docker --------------------------------------------------------------------

HERMETIC_SYNTH = """
import json, sys
from pathlib import Path
from tests.conftest import new_app
from ecs_toolkit.config import load_manifest
from ecs_toolkit.stacks.environment import build

app = new_app(Path(sys.argv[2]))
build(app, load_manifest(sys.argv[1]))
assembly = app.synth()
print(json.dumps(assembly.get_stack_by_name("hermetic-app").template))
"""


def test_synth_of_a_build_needs_no_docker(tmp_path: Path) -> None:
    """PATH without any docker and CDK_DOCKER naming a missing binary: staging the context is all synth does."""
    context = tmp_path / "src"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
    (context / "hello.txt").write_text("hello\n")
    manifest = tmp_path / "env.yaml"
    manifest.write_text(
        textwrap.dedent(
            """\
            name: hermetic
            cluster: {capacity: {fargate: true}}
            services:
              app:
                kind: worker
                image: {build: {context: src, args: {GREETING: hi}}}
                architecture: arm64
                cpu: 256
                memory_mib: 512
            """
        )
    )
    path = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry and not (Path(entry) / "docker").exists()]
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(ROOT / "node_modules" / ".bin"), *path]),
        "CDK_DOCKER": "/nonexistent/docker",
    }
    out = tmp_path / "cdk.out"
    result = subprocess.run(
        [sys.executable, "-c", HERMETIC_SYNTH, str(manifest), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    template = json.loads(result.stdout.strip().splitlines()[-1])
    (image,) = _images(template)
    match = ASSET_IMAGE.match(image["Fn::Sub"])
    assert match is not None, image
    source = json.loads((out / "hermetic-app.assets.json").read_text())["dockerImages"][match["hash"]]["source"]
    assert source["platform"] == "linux/arm64"  # from the service's architecture
    assert source["dockerBuildArgs"] == {"GREETING": "hi"}
    assert (out / source["directory"] / "hello.txt").read_text() == "hello\n"
