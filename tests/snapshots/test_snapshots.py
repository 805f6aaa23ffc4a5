"""Every stack of every example manifest, as a normalized template (asset hashes replaced)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

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
