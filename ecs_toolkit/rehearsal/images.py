"""Images built from source: left out of the rehearsal's asset publishing, reported as stand-ins.

``cdk deploy`` builds every Docker image asset (``dockerImages`` in a stack's ``*.assets.json``) with
Docker and pushes it to the bootstrap repository. The emulator has no registry that can take the
push, and the machine may have no Docker. The templates only name the image by its URI in the
bootstrap repository (``...container-assets-...:<hash>``), which the emulator keeps as written, so
the rehearsal removes the image entries from the asset manifests it deploys: the templates and their
file assets are deployed unchanged, and the report lists every image that was not built.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

ASSET_MANIFEST = "cdk:asset-manifest"


@dataclass(frozen=True)
class SkippedImage:
    stack: str
    """The stack whose asset manifest named the image."""
    name: str
    """CDK's display name of the asset (``<construct path>/AssetImage``)."""
    directory: str
    """The staged build context in the cloud assembly."""


def image_assets(assembly: Path) -> list[SkippedImage]:
    """Every Docker image asset the assembly's asset manifests name."""
    found = []
    for stack, path in _asset_manifests(assembly):
        images = json.loads(path.read_text()).get("dockerImages", {})
        for asset_id, asset in images.items():
            source = asset.get("source", {})
            found.append(SkippedImage(stack, str(asset.get("displayName", asset_id)), str(source.get("directory", ""))))
    return found


def without_image_assets(assembly: Path, work_dir: Path) -> tuple[Path, list[SkippedImage]]:
    """The assembly to deploy, with no Docker image to build, and the images left out.

    An assembly with no image asset is returned as it is. One outside ``work_dir`` (``--assembly``)
    is first copied there, so a project's own cdk.out is never changed.
    """
    skipped = image_assets(assembly)
    if not skipped:
        return assembly, []
    if not assembly.resolve().is_relative_to(work_dir.resolve()):
        copy = work_dir / "cdk.out"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(assembly, copy, symlinks=True)
        assembly = copy
    for _, path in _asset_manifests(assembly):
        manifest = json.loads(path.read_text())
        if manifest.pop("dockerImages", None):
            path.write_text(json.dumps(manifest, indent=1))
    return assembly, skipped


def _asset_manifests(assembly: Path) -> list[tuple[str, Path]]:
    """(stack the manifest serves, path) for every asset manifest artifact of the assembly."""
    manifest_path = assembly / "manifest.json"
    if not manifest_path.exists():
        return []
    artifacts = json.loads(manifest_path.read_text()).get("artifacts", {})
    found = []
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != ASSET_MANIFEST:
            continue
        file = artifact.get("properties", {}).get("file")
        if file:
            stack = artifact_id.removesuffix(".assets")
            found.append((stack, assembly / file))
    return found
