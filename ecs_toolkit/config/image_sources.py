"""What an image of the manifest is, for every reader: a registry reference, a build from source, or a declared repository.

``source_of`` answers for one ``image`` value; ``container_images`` lists the images of a service's
containers (main first, then sidecars) with the manifest location of each. Paths of a build are
relative to the manifest file that names them (``EnvironmentConfig.source_path``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ecs_toolkit.config.models import EnvironmentConfig, ImageBuildConfig, ImageConfig, ServiceConfig
from ecs_toolkit.config.references import EcrImage, parse_ecr_image

Location = tuple[str | int, ...]
Kind = Literal["registry", "build", "repository"]
PLATFORMS = {"x86_64": "linux/amd64", "arm64": "linux/arm64"}
"""The build platform of each service architecture."""


@dataclass(frozen=True)
class ImageSource:
    kind: Kind
    reference: str | None = None
    """``registry``: the image reference as written."""
    build: ImageBuildConfig | None = None
    """``build``: the Docker build."""
    repository: str | None = None
    """``repository``: the name of the declared repository (a key of ``repositories``)."""
    version: str | None = None
    """``repository``: the digest if given, else the tag."""

    @property
    def ecr(self) -> EcrImage | None:
        """``registry``: the parts of a private ECR reference, else ``None``."""
        return parse_ecr_image(self.reference) if self.reference is not None else None

    @property
    def private_ecr(self) -> bool:
        """Pulled from a private ECR repository (reachable through the VPC's ECR endpoints without NAT)."""
        return self.kind != "registry" or self.ecr is not None

    def describe(self) -> str:
        """In words, for reports: the reference, ``built from <context>`` or ``<repository>:<tag>``."""
        if self.kind == "build" and self.build is not None:
            return f"built from {self.build.context}"
        if self.kind == "repository":
            separator = "@" if (self.version or "").startswith("sha256:") else ":"
            return f"repository {self.repository}{separator}{self.version}"
        return self.reference or ""


def source_of(image: str | ImageConfig) -> ImageSource:
    if isinstance(image, str):
        return ImageSource("registry", reference=image)
    if image.build is not None:
        return ImageSource("build", build=image.build)
    return ImageSource("repository", repository=image.repository, version=image.digest or image.tag)


@dataclass(frozen=True)
class ContainerImage:
    location: Location
    """Where the image is written (``services.<name>.image`` or ``services.<name>.sidecars.<i>.image``)."""
    container: str
    image: str | ImageConfig

    @property
    def source(self) -> ImageSource:
        return source_of(self.image)


def container_images(name: str, service: ServiceConfig) -> Iterator[ContainerImage]:
    """The image of each container of ``service``: the main container (named after the service), then the sidecars."""
    yield ContainerImage(("services", name, "image"), name, service.image)
    for index, sidecar in enumerate(service.sidecars):
        yield ContainerImage(("services", name, "sidecars", index, "image"), sidecar.name, sidecar.image)


def base_directory(config: EnvironmentConfig) -> Path:
    """The directory relative paths of the manifest start from: the manifest file's, else the working directory."""
    return config.manifest_dir


def build_context(config: EnvironmentConfig, build: ImageBuildConfig) -> Path:
    """The build context directory, absolute."""
    return (base_directory(config) / build.context).resolve()


def build_dockerfile(config: EnvironmentConfig, build: ImageBuildConfig) -> Path:
    """The Dockerfile, absolute."""
    return (build_context(config, build) / build.dockerfile).resolve()


def build_platform(build: ImageBuildConfig, architecture: str) -> str:
    """The platform the image is built for: as written, else the service's architecture."""
    return build.platform or PLATFORMS[architecture]


def repository_name(config: EnvironmentConfig, name: str) -> str:
    """The ECR name of the declared repository ``name``: ``<environment>/<name>``."""
    return f"{config.name}/{name}"
