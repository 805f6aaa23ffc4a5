"""A known image that writes to its root file system, run with a read-only root, is a warning line."""

from __future__ import annotations

from ecs_toolkit.config import load_manifest_with_warnings

NGINX = "kind: web\nimage: public.ecr.aws/nginx/nginx:stable\nport: 80\ncpu: 256\nmemory_mib: 512\nroute: {path: /}\n"
WARNING = (
    "nginx writes /var/cache/nginx and /var/run when it starts, and the root file system is read-only: "
    "the container will exit; set read_only_root_filesystem: false or mount a writable volume there"
)


def _warnings(manifest, text: str) -> list[str]:
    path = manifest.write(text)
    _, warnings = load_manifest_with_warnings(path)
    return [line.removeprefix(f"{path}:") for line in warnings if "read-only" in line]


def test_warns_when_nginx_runs_on_a_read_only_root(manifest) -> None:
    assert _warnings(manifest, manifest.service(NGINX)) == [f"13: services.api.image: warning: {WARNING}"]


def test_no_warning_with_a_writable_root(manifest) -> None:
    assert _warnings(manifest, manifest.service(NGINX + "read_only_root_filesystem: false\n")) == []


def test_warns_about_a_sidecar_too(manifest) -> None:
    sidecar = "sidecars:\n  - {name: cache, image: redis:7}\n"
    text = manifest.service(NGINX + "read_only_root_filesystem: false\n" + sidecar)
    assert _warnings(manifest, text) == [
        "20: services.api.sidecars.0.image: warning: redis writes /data when it starts, and the root file system is "
        "read-only: the container will exit; set read_only_root_filesystem: false or mount a writable volume there"
    ]


def test_a_writable_volume_over_one_path_leaves_the_other(manifest) -> None:
    text = manifest.service(NGINX + "volumes: {cache: /var/cache/nginx}\n") + "file_systems:\n  cache: {}\n"
    assert _warnings(manifest, text) == [
        "13: services.api.image: warning: nginx writes /var/run when it starts, and the root file system is read-only: "
        "the container will exit; set read_only_root_filesystem: false or mount a writable volume there"
    ]
