"""The package as a user gets it: build the wheel, install it into a fresh virtual environment, start a
project with ``ecs-toolkit init`` in an empty directory and synthesize it, with nothing from this checkout.

No network: the wheel is installed with ``--no-deps`` and the dependencies already installed here are
made visible to the new environment by a ``.pth`` line (which adds the directory only: the editable
install of this checkout, itself a ``.pth`` hook, stays out). The CDK CLI comes from this checkout's
node_modules through a link, in place of ``npm install``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from ecs_toolkit import __version__

ROOT = Path(__file__).resolve().parents[2]


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)], cwd=ROOT)
    (found,) = out.glob("ecs_toolkit-*.whl")
    return found


def test_the_wheel_holds_every_data_file_the_code_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "ecs_toolkit"], cwd=ROOT, capture_output=True, text=True, check=True)
    data = [line for line in tracked.stdout.splitlines() if not line.endswith(".py") and (ROOT / line).is_file()]
    shipped = ["config/default.yaml", *(str(p.relative_to(ROOT)) for p in (ROOT / "config/examples").glob("*.yaml"))]
    shipped += [f"apps/{p.relative_to(ROOT / 'examples/apps')}" for p in (ROOT / "examples/apps").rglob("*") if p.is_file()]
    assert "apps/nightly-report/.dockerignore" in shipped
    assert data and all(name in names for name in data), sorted(set(data) - names)
    assert all(
        f"ecs_toolkit/scaffold/files/{name}" in names
        for name in [*shipped, "cdk.json", "package.json", "requirements-checkov.txt"]
    )
    assert f"ecs_toolkit-{__version__}.dist-info/entry_points.txt" in names


def test_installed_init_and_synth_make_a_working_project_without_this_checkout(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)], cwd=tmp_path)
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=tmp_path).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    project = tmp_path / "project"
    project.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    where = _run([str(python), "-c", "import ecs_toolkit; print(ecs_toolkit.__file__)"], cwd=project, env=env).stdout
    assert where.startswith(str(venv)), where

    init = _run([str(venv / "bin" / "ecs-toolkit"), "init", "--example", "minimal"], cwd=project, env=env)
    assert "wrote 10 files" in init.stdout  # schema/manifest.schema.json with the rest
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    synth = _run([str(venv / "bin" / "ecs-toolkit"), "synth"], cwd=project, env=env)
    assert "synthesized config/dev.yaml" in synth.stdout
    manifest = json.loads((project / "cdk.out" / "manifest.json").read_text())
    stacks = [name for name, artifact in manifest["artifacts"].items() if artifact["type"] == "aws:cloudformation:stack"]
    assert sorted(stacks) == ["sandbox-hello", "sandbox-network", "sandbox-platform"]
    verify = _run([str(venv / "bin" / "ecs-toolkit"), "verify", "--cdk-out", "cdk.out"], cwd=project, env=env)
    assert "verify passed" in verify.stdout
    shutil.rmtree(project / "cdk.out")
