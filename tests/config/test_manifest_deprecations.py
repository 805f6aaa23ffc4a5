"""Deprecated fields keep working, with one warning line naming the replacement (test-only registrations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_toolkit.config import ManifestError, deprecations, load_manifest_with_warnings
from ecs_toolkit.config.deprecations import ANY, Deprecation, upgrade

MANIFEST = """\
name: test
network:
  nat_gateway_count: 2
services:
  api:
    kind: backend
    image: nginx
    launch: fargate
    cpu: 256
    memory_mib: 512
    port: 8080
    deployment:
      max_healthy_percent: 150
"""
RENAMED_NAT = Deprecation(("network",), "nat_gateway_count", "nat_gateways", "0.1.0", "the count of a list is its name")
RENAMED_MAX = Deprecation(
    ("services", ANY, "deployment"), "max_healthy_percent", "max_percent", "0.1.0", "named like CloudFormation's MaximumPercent"
)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deprecations, "DEPRECATIONS", [RENAMED_NAT, RENAMED_MAX])


def test_a_deprecated_field_still_works_and_warns_once_with_its_replacement(tmp_path: Path, registered: None) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(MANIFEST)
    config, warnings = load_manifest_with_warnings(path)
    assert config.network.nat_gateways == 2
    assert config.services["api"].deployment.max_percent == 150
    assert [line for line in warnings if ": warning: deprecated" in line] == [
        f"{path}:3: network.nat_gateway_count: warning: deprecated since 0.1.0: use nat_gateways instead "
        "(the count of a list is its name)",
        f"{path}:13: services.api.deployment.max_healthy_percent: warning: deprecated since 0.1.0: use max_percent "
        "instead (named like CloudFormation's MaximumPercent)",
    ]


def test_the_old_and_the_new_name_give_the_same_environment(tmp_path: Path, registered: None) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(MANIFEST)
    new.write_text(MANIFEST.replace("nat_gateway_count", "nat_gateways").replace("max_healthy_percent", "max_percent"))
    assert load_manifest_with_warnings(old)[0] == load_manifest_with_warnings(new)[0]
    assert not [line for line in load_manifest_with_warnings(new)[1] if ": warning: deprecated" in line]


def test_both_names_at_once_is_an_error_at_the_old_one(tmp_path: Path, registered: None) -> None:
    path = tmp_path / "both.yaml"
    path.write_text(MANIFEST.replace("  nat_gateway_count: 2\n", "  nat_gateway_count: 2\n  nat_gateways: 1\n"))
    with pytest.raises(ManifestError) as raised:
        load_manifest_with_warnings(path)
    assert raised.value.lines == [
        f"{path}:3: network.nat_gateway_count: deprecated, and nat_gateways is also given: keep only nat_gateways"
    ]


def test_without_a_registration_the_old_name_is_an_unknown_field(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(MANIFEST)
    with pytest.raises(ManifestError) as raised:
        load_manifest_with_warnings(path)
    assert any(line.startswith(f"{path}:3: network.nat_gateway_count:") for line in raised.value.lines)


def test_a_conversion_changes_the_value_and_list_items_are_matched() -> None:
    minutes = Deprecation(
        ("services", ANY, "sidecars", ANY), "stop_minutes", "stop_seconds", "0.2.0", "seconds everywhere", lambda v: v * 60
    )
    document = {"services": {"a": {"sidecars": [{"stop_minutes": 2}, {"name": "x"}]}}}
    warnings, errors = upgrade(document, [minutes])
    assert document == {"services": {"a": {"sidecars": [{"stop_seconds": 120}, {"name": "x"}]}}}
    assert [location for location, _ in warnings] == [("services", "a", "sidecars", 0, "stop_minutes")]
    assert errors == []


def test_this_version_deprecates_nothing_yet() -> None:
    assert deprecations.DEPRECATIONS == []
