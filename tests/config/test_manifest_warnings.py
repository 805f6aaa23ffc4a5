"""Warnings: printed as ``file:line: field.path: warning: message``, never failing a manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_toolkit.config import load_manifest, load_manifest_with_warnings
from ecs_toolkit.config.__main__ import main
from ecs_toolkit.config.overlays import environment_manifests

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([ROOT / "config" / "default.yaml", *environment_manifests(list((ROOT / "config" / "examples").glob("*.yaml")))])

WORKER = "kind: worker\nimage: app\ncpu: 256\nmemory_mib: 512\n"
UNMOUNTED = (
    "no service mounts it: it is still created (with mount targets and backups); add it to a service's volumes or remove it"
)
NO_ROUTE = (
    "no service has a route: the load balancer is still created and billed by the hour; "
    "add a route to a web service or remove this section"
)


def warnings_of(manifest, text: str) -> list[str]:
    path = manifest.write(text)
    _, warnings = load_manifest_with_warnings(path)
    prefix = f"{path}:"
    assert all(line.startswith(prefix) for line in warnings), warnings
    return [line.removeprefix(prefix) for line in warnings]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_the_shipped_manifests_have_no_warnings(path: Path) -> None:
    assert load_manifest_with_warnings(path)[1] == []


def test_warns_about_a_file_system_no_service_mounts(manifest) -> None:
    text = manifest.service(WORKER + "volumes: {data: /mnt/data}\n") + "file_systems:\n  data: {}\n  spare: {}\n"

    assert warnings_of(manifest, text) == [
        f"2: load_balancer: warning: {NO_ROUTE}",
        "7: cluster.capacity.ec2.0.name: warning: no service and no default strategy uses group 'general': it stays empty; "
        "name it in a capacity strategy or remove it",
        f"19: file_systems.spare: warning: {UNMOUNTED}",
    ]


def test_warns_about_a_load_balancer_without_routes_and_an_ec2_group_nothing_uses(manifest) -> None:
    text = manifest.service(WORKER)

    assert warnings_of(manifest, text) == [
        f"2: load_balancer: warning: {NO_ROUTE}",
        "7: cluster.capacity.ec2.0.name: warning: no service and no default strategy uses group 'general': it stays empty; "
        "name it in a capacity strategy or remove it",
    ]


def test_counts_the_idle_instances_of_an_unused_group_with_a_minimum(manifest) -> None:
    text = manifest.base.replace("        max: 4\n", "        min: 2\n        max: 4\n").replace("load_balancer: {}\n", "")

    assert warnings_of(manifest, text) == [
        "6: cluster.capacity.ec2.0.name: warning: no service and no default strategy uses group 'general': its 2 instances "
        "run idle; name it in a capacity strategy or remove it",
    ]


def test_a_group_named_by_a_service_is_in_use(manifest) -> None:
    text = manifest.service(WORKER + "capacity: [{provider: general}]\n").replace("load_balancer: {}\n", "")

    assert warnings_of(manifest, text) == []


def test_a_manifest_with_warnings_still_loads(manifest) -> None:
    config = load_manifest(manifest.write(manifest.service(WORKER)))

    assert list(config.services) == ["api"]


def test_the_validator_prints_warnings_and_exits_0(manifest, capsys: pytest.CaptureFixture[str]) -> None:
    path = manifest.write(manifest.service(WORKER))

    assert main([str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:2: load_balancer: warning: {NO_ROUTE}",
        f"{path}:7: cluster.capacity.ec2.0.name: warning: no service and no default strategy uses group 'general': "
        "it stays empty; name it in a capacity strategy or remove it",
    ]


def test_the_validator_exits_1_on_an_error_and_prints_no_warnings(manifest, capsys: pytest.CaptureFixture[str]) -> None:
    path = manifest.write(manifest.service(WORKER + "port: 80\n"))

    assert main([str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:16: services.api.port: a worker takes no inbound traffic: use kind backend"
    ]


def test_the_validator_prints_nothing_for_a_clean_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(ROOT / "config" / "default.yaml")]) == 0
    assert capsys.readouterr().err == ""
