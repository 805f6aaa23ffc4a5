"""The synth benchmark, smoke-tested: one repetition on a one-service manifest, written where the test says.

Slow (two synths); it sits alone in this file so `--dist loadfile` gives it a worker of its own,
and its xdist group keeps it together under `--dist loadgroup` too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

TINY = """\
name: tiny
network: {azs: 2, nat_gateways: 1}
cluster: {capacity: {fargate: true}}
services:
  worker:
    kind: worker
    image: public.ecr.aws/docker/library/busybox:stable
    command: [sh, -c, "sleep 3600"]
    cpu: 256
    memory_mib: 512
    user: "65534"
"""


@pytest.mark.xdist_group("bench")
def test_the_benchmark_measures_a_tiny_manifest_and_writes_its_results(tmp_path: Path) -> None:
    manifest = tmp_path / "tiny.yaml"
    manifest.write_text(TINY)
    results = tmp_path / "results.md"
    command = [sys.executable, "bench/run.py", "--repeat", "1", "--sizes", "1", "--manifest", str(manifest)]
    command += ["--skip", "plain,nag,cli,empty,warm-up", "--output", str(results)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = results.read_text()
    assert "| CPUs (nproc) |" in text and "| Node | v22" in text
    assert "| toolkit (`python app.py`, cdk-nag included) | 3 |" in text  # network, platform, worker
    assert "| 1 | 3 |" in text  # the generated one-service manifest: three stacks
    assert "largest stack in any run" in text and "Not measured in this run" in text
