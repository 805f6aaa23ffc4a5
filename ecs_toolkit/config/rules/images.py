"""Images built from source and images of declared repositories; the declared repositories themselves."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ecs_toolkit.config.image_sources import (
    PLATFORMS,
    ContainerImage,
    build_context,
    build_dockerfile,
    container_images,
    repository_name,
)
from ecs_toolkit.config.models import EnvironmentConfig, ImageConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, did_you_mean

ECR_REPOSITORY_NAME = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
"""ECR's rule for repository names (CreateRepository API reference, checked 2026-11-27): lower-case
components of letters and digits, separated by single `.`, `_` or `-`, joined by `/`."""
_KMS_REGION = re.compile(r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):")


def check_images(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every container image that is a build or a declared repository's, and every declared repository."""
    for name, service in config.services.items():
        for used in container_images(name, service):
            if isinstance(used.image, ImageConfig):
                yield from _image(config, service, used, used.image)
    yield from _repositories(config)


def _image(config: EnvironmentConfig, service: ServiceConfig, used: ContainerImage, image: ImageConfig) -> Iterator[Finding]:
    at = used.location
    if image.build is None and image.repository is None:
        yield at, "give either build: {context: DIR} or repository: NAME with a tag or digest"
        return
    if image.build is not None and image.repository is not None:
        yield (*at, "repository"), "an image is either built (build) or taken from a repository, not both: keep one"
        return
    if image.build is not None:
        for key in ("tag", "digest"):
            if getattr(image, key) is not None:
                yield (*at, key), f"{key} goes with repository; a built image is tagged by its content: remove it"
        yield from _build(config, service, used)
        return
    assert image.repository is not None
    if image.repository not in config.repositories:
        yield (
            (*at, "repository"),
            f"no repository {image.repository!r} under repositories{did_you_mean(image.repository, config.repositories)}",
        )
    if image.tag is None and image.digest is None:
        yield (*at, "repository"), "give the image to run: tag: T or digest: sha256:..."
    elif image.tag is not None and image.digest is not None:
        yield (*at, "digest"), "give a tag or a digest, not both (the digest alone names the image exactly)"


def _build(config: EnvironmentConfig, service: ServiceConfig, used: ContainerImage) -> Iterator[Finding]:
    assert isinstance(used.image, ImageConfig) and used.image.build is not None
    build = used.image.build
    at = (*used.location, "build")
    context = build_context(config, build)
    if not context.is_dir():
        what = "is not a directory" if context.exists() else "does not exist"
        yield (
            (*at, "context"),
            f"{build.context!r} {what} ({context}): the build context is a directory, relative to the manifest file",
        )
    else:
        dockerfile = build_dockerfile(config, build)
        if not dockerfile.is_relative_to(context):
            yield (
                (*at, "dockerfile"),
                f"{build.dockerfile!r} is outside the build context {build.context!r}: only the context is copied "
                "into the cloud assembly, so the Dockerfile must be inside it",
            )
        elif not dockerfile.is_file():
            yield (
                (*at, "dockerfile"),
                f"no file {build.dockerfile!r} in the build context {build.context!r} ({dockerfile})",
            )
    wanted = PLATFORMS[service.architecture]
    if build.platform is not None and build.platform != wanted:
        yield (
            (*at, "platform"),
            f"{build.platform} builds an image for another CPU than the service's architecture ({service.architecture}, "
            f"which runs {wanted}): use platform: {wanted}, leave platform out, or change architecture",
        )


def _repositories(config: EnvironmentConfig) -> Iterator[Finding]:
    for name, repository in config.repositories.items():
        full = repository_name(config, name)
        if ECR_REPOSITORY_NAME.match(full) is None:
            yield (
                ("repositories", name),
                f"the ECR name {full!r} (<environment>/<name>) is not valid: ECR takes letters and digits separated "
                "by single '.', '_' or '-': avoid '--' in the environment and repository names",
            )
        key = repository.kms_key_arn
        region = _KMS_REGION.match(key) if key is not None else None
        if region is not None and config.region is not None and region["region"] != config.region:
            yield (
                ("repositories", name, "kms_key_arn"),
                f"the key is in {region['region']}, the environment in {config.region}: ECR encrypts only with a key "
                "of the repository's own region",
            )
