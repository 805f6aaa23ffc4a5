"""``ecs-toolkit init``: what it writes, that it never overwrites, and that its files match the repository's."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ecs_toolkit import __version__
from ecs_toolkit.config import load_manifest
from ecs_toolkit.helpers.cli import main
from ecs_toolkit.project import cdk_context, default_config, project_root
from ecs_toolkit.scaffold import EXAMPLES, init

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    "app.py",
    "cdk.json",
    "package.json",
    "requirements.txt",
    "requirements-checkov.txt",
    "config/dev.yaml",
    ".github/workflows/ci.yml",
    ".gitignore",
    "schema/manifest.schema.json",
]


def test_writes_a_project_and_says_what_to_run_next(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "shop"), "--example", "fargate-only"]) == 0
    out = capsys.readouterr().out
    for name in [*FILES, "README.md"]:
        assert (tmp_path / "shop" / name).is_file(), name
        assert f"  {name}\n" in out
    assert "ecs-toolkit synth" in out and "npm install" in out
    assert (tmp_path / "shop" / "requirements.txt").read_text().splitlines()[-1] == f"ecs-toolkit=={__version__}"


def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "dev.yaml").write_text("mine\n")
    assert main(["init", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path / 'config/dev.yaml'} already exists: init never overwrites a file (nothing written)\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["config", "dev.yaml"]
    assert (tmp_path / "config" / "dev.yaml").read_text() == "mine\n"


def test_the_environment_name_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path), "--env", "../prod"]) == 1
    assert "environment name '../prod'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_is_the_shipped_manifest_and_loads(tmp_path: Path, example: str) -> None:
    init(tmp_path, example=example, env="staging")
    written = (tmp_path / "config" / "staging.yaml").read_text()
    source = ROOT / "config" / ("default.yaml" if example == "default" else f"examples/{example}.yaml")
    first, second, *_ = written.splitlines()
    assert first == "# yaml-language-server: $schema=../schema/manifest.schema.json"  # the schema init writes
    assert second.startswith(f"# ecs-toolkit {__version__} manifest")
    assert written.endswith(source.read_text().split("\n", 1)[1])  # the shipped file, less its own schema line
    schema = json.loads((tmp_path / "schema" / "manifest.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(written))
    assert load_manifest(tmp_path / "config" / "staging.yaml").name == load_manifest(source).name


def test_cdk_json_has_the_repositorys_feature_flags_and_names_the_manifest(tmp_path: Path) -> None:
    init(tmp_path, env="prod")
    written = json.loads((tmp_path / "cdk.json").read_text())
    ours = json.loads((ROOT / "cdk.json").read_text())
    assert written["app"] == "python3 app.py"
    assert written["context"] == {**ours["context"], "config": "config/prod.yaml"}
    flags = [key for key in written["context"] if key.startswith("@aws-cdk")]
    assert len(flags) > 50


def test_package_json_pins_the_same_cli_and_node(tmp_path: Path) -> None:
    init(tmp_path / "my_app")
    written = json.loads((tmp_path / "my_app" / "package.json").read_text())
    assert written["devDependencies"] == json.loads((ROOT / "package.json").read_text())["devDependencies"]
    assert written["name"] == "my-app"


def test_app_py_is_the_repositorys_composition_root(tmp_path: Path) -> None:
    init(tmp_path)
    assert (tmp_path / "app.py").read_text() == (ROOT / "app.py").read_text()


def test_ci_runs_synth_check_and_verify_on_pull_requests(tmp_path: Path) -> None:
    init(tmp_path, env="qa")
    workflow = (tmp_path / ".github/workflows/ci.yml").read_text()
    assert "pull_request:" in workflow
    for command in (
        "ecs-toolkit synth --config config/qa.yaml",
        "ecs-toolkit check",
        "ecs-toolkit verify --config config/qa.yaml",
    ):
        assert command in workflow


def test_commands_find_the_project_and_its_manifest_from_a_subdirectory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init(tmp_path, env="qa")
    (tmp_path / "services" / "api").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "services" / "api")
    assert project_root() == tmp_path.resolve()
    assert Path(default_config()).resolve() == (tmp_path / "config" / "qa.yaml").resolve()
    assert cdk_context()["config"] == "config/qa.yaml"


def test_outside_a_project_the_shipped_feature_flags_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cdk_context() == json.loads((ROOT / "cdk.json").read_text())["context"]
    assert default_config() == "config/default.yaml"


def test_synth_reports_a_bad_manifest_one_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: demo\nnetwork: {azs: 9}\nservices: {}\nsurprise: 1\n")
    assert main(["synth", "-c", str(bad)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith(f"{bad}:") for line in lines)
    assert any(":4: surprise:" in line for line in lines)


def test_synth_prints_warnings_then_needs_the_projects_cdk_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ecs_toolkit.config import deprecations
    from ecs_toolkit.config.deprecations import Deprecation

    monkeypatch.setattr(
        deprecations, "DEPRECATIONS", [Deprecation(("network",), "nat_count", "nat_gateways", "0.1.0", "renamed")]
    )
    init(tmp_path, example="minimal")
    manifest = tmp_path / "config" / "dev.yaml"
    manifest.write_text(manifest.read_text().replace("network:\n", "network:\n  nat_count: 1\n", 1))
    monkeypatch.chdir(tmp_path)
    assert main(["synth"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(
        line.startswith("config/dev.yaml:") and ": network.nat_count: warning: deprecated since 0.1.0" in line for line in err
    )
    root = tmp_path.resolve()
    assert err[-1] == f"error: the pinned CDK CLI is missing ({root}/node_modules/.bin/cdk): run `npm install` in {root} first"


def test_check_in_a_project_without_checkov_says_it_skipped_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from ecs_toolkit.checks.report import run

    init(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert run([], out=out, require_checkov=False) == 0
    assert f"checkov: skipped, not installed ({tmp_path.resolve()}/.venv-checkov/bin/checkov" in out.getvalue()
    out = io.StringIO()
    run([], out=out)
    assert "skipped" not in out.getvalue()


def test_check_runs_the_named_manifest_and_reports_one_that_does_not_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    init(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config" / "broken.yaml").write_text("name: x\nsurprise: 1\n")
    assert main(["check", "-c", "config/broken.yaml", "--require-checkov"]) == 1
    out = capsys.readouterr().out
    assert "FAIL config/broken.yaml: the manifest does not load: config/broken.yaml:" in out
    assert "config/broken.yaml:2: surprise: unknown field" in out
    assert "check FAILED: 1 manifests" in out


def test_the_command_says_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"ecs-toolkit {__version__}\n"


def test_the_build_context_a_manifest_names_is_written_beside_it(tmp_path: Path) -> None:
    init(tmp_path / "demo", example="default")
    app = ROOT / "examples" / "apps" / "nightly-report"
    for source in [p for p in app.iterdir() if p.is_file()]:
        assert (tmp_path / "demo" / "examples" / "apps" / "nightly-report" / source.name).read_text() == source.read_text()
    init(tmp_path / "sandbox", example="minimal")  # builds nothing: no build context
    assert not (tmp_path / "sandbox" / "examples").exists()
