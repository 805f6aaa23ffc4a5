"""Every YAML snippet in the README and the docs pages is a manifest that validates, and none runs an
image that cannot start on a read-only root file system (``ecs_toolkit/config/writable_root_images.json``);
neither does any manifest under config/."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_toolkit.config import load_manifest
from ecs_toolkit.config.images import repository_of, unwritable_paths, writable_root_image, writable_root_images
from ecs_toolkit.config.models import ServiceConfig, SidecarConfig
from tests.conftest import MANIFESTS, ROOT

README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]
"""The README and every page of the docs site (pages that include a file, such as the annotated manifest, show
the ``--8<--`` line here, which is no manifest)."""
SERVICES_PAGE = ROOT / "docs" / "guide" / "services.md"
BLOCK = re.compile(r"^( *)```yaml\n(.*?)^ *```", re.S | re.M)
ENVIRONMENT = """\
name: readme
cluster:
  capacity:
    ec2:
      - {name: ondemand, instance_types: [t3.medium], min: 1, max: 4}
      - {name: spot, instance_types: [t3.medium, t3a.medium, m5.large], spot: true, max: 6}
    fargate: true
  default_strategy: [{provider: FARGATE, base: 1}, {provider: FARGATE_SPOT, weight: 3}]
load_balancer: {public: true}
file_systems: {shared: {}}
services:
"""
"""The README's demo environment, around snippets that show services only."""


def snippets() -> list[tuple[str, str]]:
    """``(file:line, body)`` of every YAML block in the README and the docs."""
    found = []
    for page in PAGES:
        text = page.read_text()
        where = page.relative_to(ROOT)
        found += [(f"{where}:{text[: m.start()].count(chr(10)) + 1}", textwrap.dedent(m.group(2))) for m in BLOCK.finditer(text)]
    return found


def _containers(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping with an image (services and sidecars), wherever it sits in a snippet."""
    if isinstance(node, dict):
        if "image" in node:
            yield node
        for value in node.values():
            yield from _containers(value)
    elif isinstance(node, list):
        for item in node:
            yield from _containers(item)


def _writable_volumes(container: dict[str, Any]) -> list[str]:
    volumes = container.get("volumes") or {}
    return [v if isinstance(v, str) else v["path"] for v in volumes.values() if isinstance(v, str) or not v.get("read_only")]


def _is_service_fragment(parsed: Any) -> bool:
    return isinstance(parsed, dict) and all(isinstance(v, dict) and "kind" in v for v in parsed.values())


def test_the_readme_and_docs_have_manifest_snippets_of_both_kinds() -> None:
    parsed = [yaml.safe_load(body) for _, body in snippets()]
    assert sum(1 for p in parsed if isinstance(p, dict) and "name" in p) >= 1
    assert sum(1 for p in parsed if _is_service_fragment(p)) >= 4


@pytest.mark.parametrize(("line", "body"), snippets(), ids=[line for line, _ in snippets()])
def test_every_readme_snippet_validates_and_runs_no_image_on_a_root_it_cannot_write(line: int, body: str, tmp_path: Path) -> None:
    parsed = yaml.safe_load(body)
    if isinstance(parsed, dict) and "name" in parsed:
        manifest = tmp_path / "snippet.yaml"
        manifest.write_text(body)
        for base in (ROOT / "config" / "examples").glob("*.base.yaml"):  # a snippet may extend a shipped base
            (tmp_path / base.name).write_text(base.read_text())
        load_manifest(manifest)  # a complete manifest: raises with file:line problems when it does not validate
    elif _is_service_fragment(parsed):
        manifest = tmp_path / "snippet.yaml"
        manifest.write_text(ENVIRONMENT + textwrap.indent(body, "  "))
        load_manifest(manifest)
    for container in _containers(parsed):
        missing = unwritable_paths(
            container["image"], container.get("read_only_root_filesystem", True), _writable_volumes(container)
        )
        assert not missing, f"{line}: {container['image']} writes {missing} on a read-only root"


def _writable_mounts(container: ServiceConfig | SidecarConfig) -> list[str]:
    return [m if isinstance(m, str) else m.path for m in container.mounts.values() if isinstance(m, str) or not m.read_only]


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.name for m in MANIFESTS])
def test_no_shipped_manifest_runs_an_image_on_a_root_it_cannot_write(manifest: Path) -> None:
    config = load_manifest(manifest)
    for name, service in config.services.items():
        writable = [
            v if isinstance(v, str) else v.path for v in service.volumes.values() if isinstance(v, str) or not v.read_only
        ]
        writable += _writable_mounts(service)
        writable_by = {name: writable, **{sidecar.name: _writable_mounts(sidecar) for sidecar in service.sidecars}}
        for container, settings in [(name, service), *((sidecar.name, sidecar) for sidecar in service.sidecars)]:
            # volumes_from mounts the source's volumes at the source's paths, writable unless read_only.
            for source in settings.volumes_from:
                if not source.read_only:
                    writable_by[container] = writable_by[container] + writable_by.get(source.container, [])
        assert not unwritable_paths(service.image, service.read_only_root_filesystem, writable_by[name]), name
        for sidecar in service.sidecars:
            mounts = writable_by[sidecar.name]
            assert not unwritable_paths(sidecar.image, sidecar.read_only_root_filesystem, mounts), f"{name}/{sidecar.name}"


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("public.ecr.aws/nginx/nginx:stable", "nginx/nginx"),
        ("nginx", "nginx"),
        ("nginx:1.27@sha256:" + "0" * 64, "nginx"),
        ("docker.io/library/redis:7", "library/redis"),
        ("localhost:5000/team/httpd:2.4", "team/httpd"),
        ("public.ecr.aws/docker/library/httpd:2.4", "docker/library/httpd"),
    ],
)
def test_repository_of_drops_registry_tag_and_digest(image: str, repository: str) -> None:
    assert repository_of(image) == repository


def test_a_known_image_needs_every_path_it_writes_unless_the_root_or_a_volume_is_writable() -> None:
    nginx = "public.ecr.aws/nginx/nginx:stable"
    assert unwritable_paths(nginx, read_only_root=True) == ["/var/cache/nginx", "/var/run"]
    assert unwritable_paths(nginx, read_only_root=True, writable_volumes=["/var/cache/nginx/"]) == ["/var/run"]
    assert unwritable_paths(nginx, read_only_root=True, writable_volumes=["/var/cache/nginx", "/var/run"]) == []
    assert unwritable_paths(nginx, read_only_root=False) == []
    assert unwritable_paths("public.ecr.aws/docker/library/redis:7", read_only_root=True, writable_volumes=["/dat"]) == ["/data"]


def test_images_of_the_same_name_from_other_publishers_are_not_assumed_to_write_the_same_paths() -> None:
    assert writable_root_image("bitnami/nginx:1.27") is None
    assert writable_root_image("public.ecr.aws/docker/library/busybox:stable") is None


def test_the_services_page_lists_every_known_image_with_the_paths_it_writes() -> None:
    text = SERVICES_PAGE.read_text()
    section = text[text.index("## Images that need a writable root file system") :]
    section = section.split("\n## ")[0]
    for known in writable_root_images():
        row = next((line for line in section.splitlines() if line.startswith(f"| `{known.name}`")), None)
        assert row is not None, f"{SERVICES_PAGE.name} does not list {known.name}"
        assert all(f"`{path}`" in row for path in known.writes), f"the row of {known.name} misses a path: {row}"
