"""Built images in the rehearsal: left out of the asset manifests it deploys, reported, the project's cdk.out untouched."""

from __future__ import annotations

import json
from pathlib import Path

from ecs_toolkit.rehearsal.images import image_assets, without_image_assets


def _assembly(directory: Path, images: dict[str, object]) -> Path:
    directory.mkdir(parents=True)
    artifacts = {
        "demo-job.assets": {"type": "cdk:asset-manifest", "properties": {"file": "demo-job.assets.json"}},
        "demo-job": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "demo-job.template.json"}},
    }
    (directory / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    manifest = {"version": "55.0.0", "files": {"t": {"source": {"path": "demo-job.template.json"}}}, "dockerImages": images}
    (directory / "demo-job.assets.json").write_text(json.dumps(manifest))
    (directory / "demo-job.template.json").write_text("{}")
    return directory


IMAGE = {"abc": {"displayName": "Job/TaskDefinition/job/AssetImage", "source": {"directory": "asset.abc"}}}


def test_images_are_left_out_of_a_copy_and_the_original_is_untouched(tmp_path: Path) -> None:
    project = _assembly(tmp_path / "project" / "cdk.out", IMAGE)
    original = (project / "demo-job.assets.json").read_text()
    deployed, skipped = without_image_assets(project, tmp_path / "work")
    assert deployed == tmp_path / "work" / "cdk.out"
    assert [(s.stack, s.name, s.directory) for s in skipped] == [("demo-job", "Job/TaskDefinition/job/AssetImage", "asset.abc")]
    assert "dockerImages" not in json.loads((deployed / "demo-job.assets.json").read_text())
    assert json.loads((deployed / "demo-job.assets.json").read_text())["files"]  # file assets are still published
    assert (project / "demo-job.assets.json").read_text() == original
    assert image_assets(deployed) == []


def test_an_assembly_in_the_work_directory_is_changed_in_place(tmp_path: Path) -> None:
    work = tmp_path / "work"
    assembly = _assembly(work / "cdk.out", IMAGE)
    deployed, skipped = without_image_assets(assembly, work)
    assert deployed == assembly and len(skipped) == 1 and image_assets(assembly) == []


def test_an_assembly_without_images_is_deployed_as_it_is(tmp_path: Path) -> None:
    assembly = _assembly(tmp_path / "cdk.out", {})
    assert without_image_assets(assembly, tmp_path / "work") == (assembly, [])
    assert not (tmp_path / "work").exists()
