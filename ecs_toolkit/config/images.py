"""Images that cannot run with a read-only root file system, from ``writable_root_images.json``.

The data file names each image, the paths it writes at start and why, with its source and date.
A container running one of them needs ``read_only_root_filesystem: false`` or a writable volume
at every path the image writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ecs_toolkit.config.models import ImageConfig


@dataclass(frozen=True)
class WritableRootImage:
    name: str
    repositories: tuple[str, ...]
    """Repository paths without registry or tag (``nginx``, ``library/nginx``, ``nginx/nginx``)."""
    writes: tuple[str, ...]
    """Absolute paths the image writes when it starts."""
    reason: str


@cache
def writable_root_images() -> tuple[WritableRootImage, ...]:
    data = json.loads(resources.files(__package__).joinpath("writable_root_images.json").read_text("utf-8"))
    return tuple(
        WritableRootImage(
            name=entry["name"],
            repositories=tuple(entry["repositories"]),
            writes=tuple(entry["writes"]),
            reason=entry["reason"],
        )
        for entry in data["images"]
    )


def repository_of(image: str) -> str:
    """``public.ecr.aws/nginx/nginx:stable`` -> ``nginx/nginx``; ``redis:7`` -> ``redis``."""
    name = image.split("@", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    last = parts[-1].split(":", 1)[0]
    return "/".join([*parts[:-1], last])


def writable_root_image(image: str | ImageConfig) -> WritableRootImage | None:
    """The known image ``image`` runs, if it is one that writes to its root file system (never a build or a
    declared repository: what they hold is the team's own)."""
    if not isinstance(image, str):
        return None
    repository = repository_of(image)
    return next((known for known in writable_root_images() if repository in known.repositories), None)


def unwritable_paths(image: str | ImageConfig, read_only_root: bool, writable_volumes: Iterable[str] = ()) -> list[str]:
    """The paths ``image`` writes that neither the root file system nor a writable volume lets it write."""
    known = writable_root_image(image)
    if known is None or not read_only_root:
        return []
    volumes = [volume.rstrip("/") or "/" for volume in writable_volumes]
    return [path for path in known.writes if not any(path == v or path.startswith(v.rstrip("/") + "/") for v in volumes)]
