"""Images built from source and images of declared repositories: each field validated at its own line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_toolkit.config.image_sources import build_context, build_dockerfile, container_images, repository_name, source_of
from ecs_toolkit.config.rules.images import ECR_REPOSITORY_NAME

WORKER = "kind: worker\ncpu: 256\nmemory_mib: 512\n"
"""Lines 12-14 of the service; the image follows on line 15."""
REPOSITORIES = "repositories:\n  web: {}\n  worker-images: {}\n"


@pytest.fixture(scope="module", autouse=True)
def build_contexts(manifest_directory: Path) -> None:
    """Next to the test manifests: a context with a Dockerfile, one with only a Containerfile, and a plain file."""
    (manifest_directory / "app").mkdir(exist_ok=True)
    (manifest_directory / "app" / "Dockerfile").write_text("FROM scratch\n")
    (manifest_directory / "app" / "Dockerfile.worker").write_text("FROM scratch\n")
    (manifest_directory / "other").mkdir(exist_ok=True)
    (manifest_directory / "other" / "Containerfile").write_text("FROM scratch\n")
    (manifest_directory / "notes.txt").write_text("not a directory\n")


# --- builds ---------------------------------------------------------------------------------


def test_a_build_is_read_relative_to_the_manifest_file(manifest, manifest_directory: Path) -> None:
    image = "image:\n  build: {context: app, dockerfile: Dockerfile.worker, args: {VERSION: '1.2'}, target: run}\n"
    config = manifest.load(manifest.service(WORKER + image))
    source = source_of(config.services["api"].image)
    assert source.kind == "build" and source.build is not None and source.private_ecr
    assert config.source_path == manifest.path.absolute()
    assert build_context(config, source.build) == (manifest_directory / "app").resolve()
    assert build_dockerfile(config, source.build) == (manifest_directory / "app" / "Dockerfile.worker").resolve()
    assert source.build.args == {"VERSION": "1.2"} and source.build.target == "run"


def test_fails_when_the_context_does_not_exist(manifest, manifest_directory: Path) -> None:
    problems = manifest.problems(manifest.service(WORKER + "image:\n  build: {context: ../missing-app}\n"))
    missing = (manifest_directory / ".." / "missing-app").resolve()
    assert problems == [
        f"16: services.api.image.build.context: '../missing-app' does not exist ({missing}): the build context is a "
        "directory, relative to the manifest file"
    ]


def test_fails_when_the_context_is_a_file(manifest) -> None:
    (problem,) = manifest.problems(manifest.service(WORKER + "image: {build: {context: notes.txt}}\n"))
    assert problem.startswith("15: services.api.image.build.context: 'notes.txt' is not a directory (")


def test_fails_when_the_dockerfile_is_not_in_the_context(manifest, manifest_directory: Path) -> None:
    problems = manifest.problems(manifest.service(WORKER + "image: {build: {context: other}}\n"))
    dockerfile = (manifest_directory / "other" / "Dockerfile").resolve()
    assert problems == [
        f"15: services.api.image.build.dockerfile: no file 'Dockerfile' in the build context 'other' ({dockerfile})"
    ]
    assert manifest.load(manifest.service(WORKER + "image: {build: {context: other, dockerfile: Containerfile}}\n"))


def test_fails_when_the_dockerfile_is_outside_the_context(manifest) -> None:
    problems = manifest.problems(manifest.service(WORKER + "image: {build: {context: other, dockerfile: ../app/Dockerfile}}\n"))
    assert problems == [
        "15: services.api.image.build.dockerfile: '../app/Dockerfile' is outside the build context 'other': only the "
        "context is copied into the cloud assembly, so the Dockerfile must be inside it"
    ]


def test_the_platform_must_agree_with_the_architecture(manifest) -> None:
    image = "image:\n  build:\n    context: app\n    platform: linux/arm64\n"
    assert manifest.problems(manifest.service(WORKER + image)) == [
        "18: services.api.image.build.platform: linux/arm64 builds an image for another CPU than the service's architecture "
        "(x86_64, which runs linux/amd64): use platform: linux/amd64, leave platform out, or change architecture"
    ]
    assert manifest.load(manifest.service(WORKER + "architecture: arm64\n" + image))


def test_a_sidecar_is_built_too_and_checked_at_its_own_line(manifest) -> None:
    sidecar = "sidecars:\n  - name: agent\n    image: {build: {context: nowhere}}\n"
    (problem,) = manifest.problems(manifest.service(WORKER + "image: busybox\n" + sidecar))
    assert problem.startswith("18: services.api.sidecars.0.image.build.context: 'nowhere' does not exist (")
    config = manifest.load(manifest.service(WORKER + "image: busybox\n" + sidecar.replace("nowhere", "app")))
    kinds = [(used.container, used.source.kind) for used in container_images("api", config.services["api"])]
    assert kinds == [("api", "registry"), ("agent", "build")]


@pytest.mark.parametrize(
    ("image", "line", "message"),
    [
        ("image: {build: {}}", 15, "services.api.image.build.context: is required"),
        ("image: {build: {context: app, platform: linux/386}}", 15,
         "services.api.image.build.platform: must be one of: linux/amd64, linux/arm64 (got 'linux/386')"),
        ("image: {build: {context: app, target: '-stage'}}", 15,
         "services.api.image.build.target: must be a build stage name (letters, digits and _.-) (got '-stage')"),
        ("image: {build: {context: app, args: {1X: y}}}", 15,
         "services.api.image.build.args.1X: must be a variable name: letters, digits and underscores, not starting with a digit"),
        ("image: {bild: {context: app}}", 15, "services.api.image.bild: unknown field: did you mean 'build'?"),
        ("image: {}", 15, "services.api.image: give either build: {context: DIR} or repository: NAME with a tag or digest"),
        ("image: {build: {context: app}, tag: v1}", 15,
         "services.api.image.tag: tag goes with repository; a built image is tagged by its content: remove it"),
        ("image: {build: {context: app}, repository: web, tag: v1}", 15,
         "services.api.image.repository: an image is either built (build) or taken from a repository, not both: keep one"),
    ],
)  # fmt: skip
def test_refuses_a_bad_build(manifest, image: str, line: int, message: str) -> None:
    problems = manifest.problems(manifest.service(WORKER + image + "\n") + REPOSITORIES)
    assert any(problem.startswith(f"{line}: {message}") for problem in problems), problems


def test_a_build_in_a_private_network_without_nat_is_fine(manifest) -> None:
    """The image lands in this region's ECR (the bootstrap repository): the ecr endpoints reach it."""
    network = "network:\n  nat_gateways: 0\n  endpoints: [ecr, logs, s3, ecs]\n"
    text = manifest.service(WORKER + "image: {build: {context: app}}\n") + network
    assert manifest.load(text).network.nat_gateways == 0
    refused = manifest.problems(text.replace("image: {build: {context: app}}", "image: busybox"))
    assert any("is not a private ECR image and the VPC has no NAT gateways" in problem for problem in refused)


# --- declared repositories -----------------------------------------------------------------


def test_a_repository_image_names_a_declared_repository(manifest) -> None:
    config = manifest.load(manifest.service(WORKER + "image: {repository: web, tag: '2.1'}\n") + REPOSITORIES)
    source = source_of(config.services["api"].image)
    assert (source.kind, source.repository, source.version) == ("repository", "web", "2.1")
    assert source.describe() == "repository web:2.1"
    assert repository_name(config, "worker-images") == "test/worker-images"
    digest = "sha256:" + "0" * 64
    config = manifest.load(manifest.service(WORKER + f"image: {{repository: web, digest: '{digest}'}}\n") + REPOSITORIES)
    assert source_of(config.services["api"].image).describe() == f"repository web@{digest}"


def test_repository_defaults_are_the_safe_ones(manifest) -> None:
    config = manifest.load(manifest.service(WORKER + "image: {repository: web, tag: v1}\n") + REPOSITORIES)
    repository = config.repositories["web"]
    assert repository.scan_on_push and repository.immutable_tags and repository.kms_key_arn is None
    assert repository.lifecycle.keep_last is None and repository.lifecycle.untagged_expire_days is None


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("image: {repository: wbe, tag: v1}",
         "services.api.image.repository: no repository 'wbe' under repositories: did you mean 'web'?"),
        ("image: {repository: nothing-alike, tag: v1}",
         "services.api.image.repository: no repository 'nothing-alike' under repositories (have: web, worker-images)"),
        ("image: {repository: web}", "services.api.image.repository: give the image to run: tag: T or digest: sha256:..."),
        (f"image: {{repository: web, tag: v1, digest: 'sha256:{'a' * 64}'}}",
         "services.api.image.digest: give a tag or a digest, not both (the digest alone names the image exactly)"),
        ("image: {repository: web, digest: 'sha256:abc'}",
         "services.api.image.digest: must be an image digest: sha256: and 64 lower-case hex digits (got 'sha256:abc')"),
        ("image: {repository: web, tag: -v1}",
         "services.api.image.tag: must be an image tag of up to 128 letters, digits and _.- "
         "(not starting with . or -) (got '-v1')"),
    ],
)  # fmt: skip
def test_refuses_a_bad_repository_image(manifest, image: str, message: str) -> None:
    assert manifest.problems(manifest.service(WORKER + image + "\n") + REPOSITORIES) == [f"15: {message}"]


@pytest.mark.parametrize(
    ("repositories", "message"),
    [
        ("  a--b: {}\n", "repositories.a--b: the ECR name 'test/a--b' (<environment>/<name>) is not valid: ECR takes letters "
         "and digits separated by single '.', '_' or '-': avoid '--' in the environment and repository names"),
        ("  web: {lifecycle: {keep_last: 0}}\n",
         "repositories.web.lifecycle.keep_last: must be a whole number from 1 to 10000 (got 0)"),
        ("  web: {lifecycle: {untagged_expire_days: 0}}\n",
         "repositories.web.lifecycle.untagged_expire_days: must be a whole number from 1 to 3650 (got 0)"),
        ("  web: {removal: keep}\n", "repositories.web.removal: must be one of: retain, destroy (got 'keep')"),
        ("  web: {scan_on_pushed: true}\n", "repositories.web.scan_on_pushed: unknown field: did you mean 'scan_on_push'?"),
    ],
)  # fmt: skip
def test_refuses_a_bad_repository(manifest, repositories: str, message: str) -> None:
    assert manifest.problems(manifest.base + "repositories:\n" + repositories) == [f"11: {message}"]


def test_the_key_must_be_in_the_environments_region(manifest) -> None:
    key = "arn:aws:kms:us-east-1:111122223333:key/abcd-1234"
    text = manifest.base + f"account: '111122223333'\nregion: eu-west-1\nrepositories:\n  web: {{kms_key_arn: '{key}'}}\n"
    assert manifest.problems(text) == [
        "13: repositories.web.kms_key_arn: the key is in us-east-1, the environment in eu-west-1: ECR encrypts only "
        "with a key of the repository's own region"
    ]


@pytest.mark.parametrize("name", ["demo/web", "a.b/c_d", "x/y-z/w"])
def test_ecr_names_follow_ecrs_rule(name: str) -> None:
    assert ECR_REPOSITORY_NAME.match(name)


@pytest.mark.parametrize("name", ["demo--x/web", "Demo/web", "demo//web", "demo/web-", "-demo/web"])
def test_ecr_refuses_names_that_break_its_rule(name: str) -> None:
    assert ECR_REPOSITORY_NAME.match(name) is None
