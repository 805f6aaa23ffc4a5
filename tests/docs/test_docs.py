"""The docs site, the generated pages, the JSON Schema and the README as a front page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import jsonschema
import pytest
from ruamel.yaml import YAML

from ecs_toolkit.config import reference, schema
from ecs_toolkit.helpers.cli import main
from tests.conftest import ROOT

MANIFESTS = sorted((ROOT / "config").rglob("*.yaml"))
README = ROOT / "README.md"


def _load(path: Path) -> object:
    return YAML(typ="safe").load(path.read_text())


# --- generated files are current -----------------------------------------------------------------


def test_the_reference_follows_the_manifest_depth_first() -> None:
    sections = re.findall(r"^## (.+)$", reference.render(), re.M)
    assert sections.index("`cluster.capacity.ec2`") < sections.index("`load_balancer`") < sections.index("`services`")
    assert sections.index("`services.scaling.queue`") < sections.index("`compliance`")


def test_every_reference_row_has_type_allowed_values_default_and_example() -> None:
    rows = [line for line in reference.render().splitlines() if line.startswith("| `")]
    assert len(rows) > 150
    for row in rows:
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert len(cells) == 6 and all(cells[:4]), row
    nat = next(row for row in rows if row.startswith("| `nat_gateways`"))
    assert "a whole number from 0 to 3" in nat and "`1`" in nat


@pytest.mark.parametrize("path", sorted(reference.EXAMPLES))
def test_each_example_written_for_the_reference_is_valid_for_its_field(path: str) -> None:
    from pydantic import TypeAdapter

    from ecs_toolkit.config.models import EnvironmentConfig

    fields = dict(
        (f"{prefix}.{name}" if prefix else name, field)
        for prefix, model in reference._walk(EnvironmentConfig, "")
        for name, field in model.model_fields.items()
    )
    field = fields[path]
    annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    TypeAdapter(annotation).validate_python(reference.EXAMPLES[path])
    assert f"`{path.rsplit('.', 1)[-1]}`" in reference.render()


def test_the_committed_schema_matches_the_models() -> None:
    assert schema.SCHEMA.read_text() == schema.render(), "schema/manifest.schema.json is stale: run `make docs`"
    assert schema.OVERLAY_SCHEMA.read_text() == schema.render(partial=True), "schema/overlay.schema.json is stale"


def test_the_overlay_schema_requires_nothing_and_still_refuses_unknown_fields_and_bad_values() -> None:
    full = jsonschema.Draft202012Validator(schema.build())
    partial = jsonschema.Draft202012Validator(schema.build(partial=True))
    overlay = {"extends": "shop.base.yaml", "services": {"web": {"cpu": 512}}}
    assert list(full.iter_errors(overlay))  # name, and the service's kind and image, are missing
    assert not list(partial.iter_errors(overlay))
    assert list(partial.iter_errors({**overlay, "services": {"web": {"cpus": 512}}}))
    assert list(partial.iter_errors({**overlay, "network": {"nat_gateways": 7}}))


def test_a_patterned_string_may_hold_a_variable_in_either_schema() -> None:
    good = _load(ROOT / "config" / "examples" / "minimal.yaml")
    assert isinstance(good, dict)
    for validator in (
        jsonschema.Draft202012Validator(schema.build()),
        jsonschema.Draft202012Validator(schema.build(partial=True)),
    ):
        assert not list(validator.iter_errors({**good, "name": "${STAGE}-shop"}))
        assert list(validator.iter_errors({**good, "name": "Not A Name"}))


def test_the_schema_carries_descriptions_defaults_and_words_instead_of_patterns() -> None:
    built = schema.build()
    network = built["$defs"]["NetworkConfig"]["properties"]["nat_gateways"]
    assert network["default"] == 1
    assert network["description"].startswith("0 (then add endpoints)")
    assert built["properties"]["name"]["patternErrorMessage"].startswith("must be 2 to 32 lower-case letters")
    assert built["additionalProperties"] is False


# --- the schema accepts the shipped manifests and refuses mistakes --------------------------------


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_shipped_manifest_validates_against_the_schema_it_names(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path} must start with the yaml-language-server schema line"
    named = (path.parent / match.group(1)).resolve()
    partial = path.name.endswith(".base.yaml") or "extends" in (_load(path) or {})  # type: ignore[operator]
    assert named == (schema.OVERLAY_SCHEMA if partial else schema.SCHEMA)
    jsonschema.Draft202012Validator(json.loads(named.read_text())).validate(_load(path))


def test_the_schema_refuses_an_unknown_field_a_bad_value_and_a_missing_name() -> None:
    validator = jsonschema.Draft202012Validator(schema.build())
    good = _load(ROOT / "config" / "examples" / "minimal.yaml")
    assert isinstance(good, dict)
    assert not list(validator.iter_errors(good))
    typo = {**good, "services": {"hello": {**good["services"]["hello"], "imgae": "nginx"}}}
    assert [error.message for error in validator.iter_errors(typo)] == [
        "Additional properties are not allowed ('imgae' was unexpected)"
    ]
    assert list(validator.iter_errors({**good, "network": {"nat_gateways": 7}}))
    assert list(validator.iter_errors({key: value for key, value in good.items() if key != "name"}))


def test_ecs_toolkit_schema_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == schema.SCHEMA.read_text()
    assert main(["schema", "--overlay"]) == 0
    assert capsys.readouterr().out == schema.OVERLAY_SCHEMA.read_text()


# --- the site builds in strict mode, and strict mode catches a broken link -----------------------


def _build(config_text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "mkdocs.yml"
    config.write_text(config_text.replace("site_dir: site", f"site_dir: {tmp_path / 'site'}"))
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def mkdocs_config() -> str:
    pytest.importorskip("mkdocs", reason="the docs tools are installed by make docs / make test (requirements-docs.txt)")
    return (ROOT / "mkdocs.yml").read_text().replace("docs_dir: docs", f"docs_dir: {ROOT / 'docs'}")


def test_the_docs_site_builds_in_strict_mode_with_no_warnings(mkdocs_config: str, tmp_path: Path) -> None:
    result = _build(mkdocs_config, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    built = tmp_path / "site"
    assert (built / "deploy.html").exists() and (built / "reference" / "manifest.html").exists()
    annotated = (built / "reference" / "annotated-manifest.html").read_text()
    assert "nightly-report" in annotated, "the annotated page includes config/default.yaml"


def test_a_broken_link_fails_the_strict_build(mkdocs_config: str, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    subprocess.run(["cp", "-r", str(ROOT / "docs"), str(docs)], check=True)
    page = docs / "guide" / "iam.md"
    page.write_text(page.read_text() + "\nSee [the missing page](nowhere.md).\n")
    result = _build(mkdocs_config.replace(f"docs_dir: {ROOT / 'docs'}", f"docs_dir: {docs}"), tmp_path)
    assert result.returncode != 0
    assert "nowhere.md" in result.stderr + result.stdout


# --- the README is a front page ------------------------------------------------------------------


def test_the_readme_is_a_front_page() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 300
    for target in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / target).exists(), target


def test_the_readme_manifest_is_the_minimal_example_which_validates() -> None:
    from ecs_toolkit.config import load_manifest

    block = re.search(r"```yaml\n(.*?)```", README.read_text(), re.S)
    assert block is not None
    shipped = ROOT / "config" / "examples" / "minimal.yaml"
    body = [line for line in shipped.read_text().splitlines()[1:] if not line.startswith("#")]
    assert block.group(1).splitlines() == [shipped.read_text().splitlines()[0], *body]
    config = load_manifest(shipped)
    assert config.services["hello"].read_only_root_filesystem is False, "nginx writes to its root file system"


def test_the_ci_workflow_tests_pull_requests_and_deploys_main_with_oidc_not_keys() -> None:
    workflow_text = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    workflow = YAML(typ="safe").load(workflow_text)
    assert set(workflow["on"]) == {"pull_request", "push"} and workflow["on"]["push"]["branches"] == ["main"]
    test_steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "make test" in test_steps and any("make synth" in run for run in test_steps)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test" and "refs/heads/main" in deploy["if"]
    assert deploy["permissions"]["id-token"] == "write"
    credentials = next(step for step in deploy["steps"] if "configure-aws-credentials" in step.get("uses", ""))
    assert "role-to-assume" in credentials["with"]
    assert "aws-access-key-id" not in workflow_text and "secrets.AWS" not in workflow_text
    runs = " ".join(step.get("run", "") for step in deploy["steps"])
    assert all(command in runs for command in ("preflight", "cdk diff", "cdk deploy", "ecs-toolkit wait"))
