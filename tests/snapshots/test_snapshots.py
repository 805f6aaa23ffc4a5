"""Every stack of every example manifest, as a normalized template (asset hashes replaced)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from ecs_toolkit.assembly import load_assembly
from ecs_toolkit.config import derived
from ecs_toolkit.verify import verify
from tests.conftest import MANIFESTS, synthesize

ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def _normalized(template: object) -> object:
    """Asset hashes change with the CDK build, not with our code: replace them."""
    return json.loads(ASSET_HASH.sub("ASSET_HASH", json.dumps(template)))


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[path.stem for path in MANIFESTS])
def test_templates_match_their_snapshots(manifest: Path, snapshot_json: SnapshotAssertion) -> None:
    synthesized = synthesize(manifest)
    for stack in synthesized.environment.stacks:
        template = synthesized.assembly.get_stack_by_name(stack.stack_name).template
        assert _normalized(template) == snapshot_json(name=stack.stack_name)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[path.stem for path in MANIFESTS])
def test_every_intended_path_is_open_and_nothing_else(manifest: Path) -> None:
    """The proof over the same synthesized app: no CLOSED path, no UNINTENDED rule, every connection proven."""
    synthesized = synthesize(manifest)
    config = synthesized.environment.config
    findings = verify(load_assembly(Path(synthesized.assembly.directory), account=config.account, region=config.region), config)
    assert [finding.line() for finding in findings if finding.failed] == []
    proven = {
        finding.path.split(" (")[0] for finding in findings if finding.category == "connection" and finding.status == "OPEN"
    }
    assert proven == {f"{caller} -> {callee}" for caller, callee in derived.declared_connections(config)}
