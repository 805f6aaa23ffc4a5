"""No Node or jsii end-of-life banner from any command, however it is run (outside make included)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ecs_toolkit import SILENCE_NODE_END_OF_LIFE, use_project_node
from tests.conftest import ROOT

BIN = ROOT / "node_modules" / ".bin"


def _outside_make() -> dict[str, str]:
    """The environment of a shell that never ran make: no node_modules on PATH, no jsii setting."""
    path = os.pathsep.join(part for part in os.environ["PATH"].split(os.pathsep) if "node_modules" not in part)
    environment = {key: value for key, value in os.environ.items() if key != SILENCE_NODE_END_OF_LIFE}
    return {**environment, "PATH": path}


def test_the_cdk_app_and_the_constructs_start_jsii_without_a_banner_outside_make() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "import app, ecs_toolkit.constructs.cluster, aws_cdk; aws_cdk.App()"],
        cwd=ROOT,
        env=_outside_make(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""


def test_an_entry_point_run_as_a_module_prints_no_banner(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ecs_toolkit.checks", "--help"],
        cwd=ROOT,
        env=_outside_make(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "end-of-life" not in completed.stdout + completed.stderr and "!!" not in completed.stderr


def test_the_project_node_goes_first_on_path_once() -> None:
    environ = {"PATH": "/usr/bin"}
    use_project_node(ROOT, environ)
    use_project_node(ROOT, environ)
    assert environ["PATH"] == f"{BIN}{os.pathsep}/usr/bin"
    assert SILENCE_NODE_END_OF_LIFE not in environ


def test_without_the_project_node_jsii_is_asked_to_stay_quiet_about_any_node(tmp_path: Path) -> None:
    environ = {"PATH": "/usr/bin"}
    use_project_node(tmp_path, environ)
    assert environ["PATH"] == "/usr/bin"
    assert {"18", "20", "22"} <= set(environ[SILENCE_NODE_END_OF_LIFE].split(","))
    kept = {"PATH": "/usr/bin", SILENCE_NODE_END_OF_LIFE: "20"}
    use_project_node(tmp_path, kept)
    assert kept[SILENCE_NODE_END_OF_LIFE] == "20", "a setting of the user's own is kept"
