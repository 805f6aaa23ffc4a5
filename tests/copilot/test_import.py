"""The whole import: overrides, the environment manifest, errors, the command and the field table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecs_toolkit.config import load_manifest
from ecs_toolkit.copilot import ImportError_
from ecs_toolkit.copilot.fields import CARRIED, CONVERTED, DROPPED, FIELDS, docs_with_table
from ecs_toolkit.copilot.overrides import apply_overrides
from ecs_toolkit.copilot.reading import read_located
from ecs_toolkit.helpers.cli import main
from tests.copilot.conftest import MakeWorkspace, messages, run_import

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
API = """
name: api
type: Backend Service
image:
  location: example/api:1
  port: 8080
cpu: 256
count: 1
variables:
  A: base
  B: base
environments:
  test:
    cpu: 512
    memory: 1024
    count:
      range: 1-3
      cpu_percentage: 50
    variables:
      B: test
    image:
      build: api/Dockerfile
  prod:
    cpu: 2048
"""


def test_overrides_merge_mappings_and_replace_the_rest(make_workspace: MakeWorkspace) -> None:
    imported = run_import(make_workspace({"api": API}))
    api = imported.manifest["services"]["api"]
    assert (api["cpu"], api["memory_mib"]) == (512, 1024)
    assert api["environment"] == {"A": "base", "B": "test"}
    assert api["scaling"] == {"min": 1, "max": 3, "cpu_percent": 50} and "count" not in api
    # image.build in the override replaces image.location of the base (they exclude each other); image.port stays.
    assert api["image"] == {"build": {"context": "../app/api"}} and api["port"] == 8080
    assert any("environments: converted: the overrides of test are applied; those of prod" in m for m in messages(imported))


def test_override_values_keep_the_line_they_were_written_on(make_workspace: MakeWorkspace) -> None:
    root = make_workspace({"api": API})
    located = read_located(root / "copilot" / "api" / "manifest.yml", "api.yml")
    merged = apply_overrides(located, "test")
    assert merged.origin(("cpu",)) == ("api.yml", 14)
    assert merged.origin(("variables", "A")) == ("api.yml", 10)
    assert merged.origin(("variables", "B")) == ("api.yml", 20)
    assert "environments" not in merged.data


def test_environment_manifest(make_workspace: MakeWorkspace) -> None:
    environment = """
    name: test
    type: Environment
    network:
      vpc:
        cidr: 10.8.0.0/16
        flow_logs: true
        subnets:
          private:
            - {cidr: 10.8.1.0/24, az: eu-west-1a}
            - {cidr: 10.8.2.0/24, az: eu-west-1b}
    http:
      public:
        certificates: [arn:aws:acm:eu-west-1:123456789012:certificate/abc-123]
    observability:
      container_insights: true
    cdn: true
    """
    web = "name: web\ntype: Load Balanced Web Service\nimage:\n  location: example/web:1\n  port: 80\nhttp:\n  path: /\n"
    imported = run_import(make_workspace({"web": web}, environment=environment))
    manifest = imported.manifest
    assert manifest["name"] == "test"
    assert manifest["network"] == {"cidr": "10.8.0.0/16", "azs": ["eu-west-1a", "eu-west-1b"], "flow_logs": True}
    assert manifest["cluster"] == {"container_insights": "enabled", "capacity": {"fargate": True}, "namespace": "test.shop.local"}
    assert manifest["load_balancer"] == {"certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123"}
    lines = messages(imported)
    assert any(line.startswith("17: cdn: not carried over: no CloudFront distribution") for line in lines)
    assert sum("subnets.private" in line and "divides the VPC's CIDR" in line for line in lines) == 2


def test_existing_vpc(make_workspace: MakeWorkspace) -> None:
    environment = """
    name: test
    type: Environment
    network:
      vpc:
        id: vpc-0123456789abcdef0
        subnets:
          public: [{id: subnet-0aaaaaaaaaaaaaaa1}]
          private: [{id: subnet-0bbbbbbbbbbbbbbb1}]
    """
    worker = "name: w\ntype: Worker Service\nimage:\n  location: example/w:1\n"
    imported = run_import(make_workspace({"w": worker}, environment=environment))
    assert imported.manifest["network"] == {
        "existing": {
            "vpc_id": "vpc-0123456789abcdef0",
            "private_subnet_ids": ["subnet-0bbbbbbbbbbbbbbb1"],
            "public_subnet_ids": ["subnet-0aaaaaaaaaaaaaaa1"],
        }
    }
    assert "load_balancer" not in imported.manifest
    assert any("network.existing needs cidr and availability_zones" in m for m in messages(imported))


def test_flow_logs_of_an_existing_vpc_are_reported_not_written(make_workspace: MakeWorkspace) -> None:
    environment = """
    name: test
    type: Environment
    network:
      vpc:
        id: vpc-0123456789abcdef0
        flow_logs:
          retention: 30
        subnets:
          private: [{id: subnet-0bbbbbbbbbbbbbbb1}, {id: subnet-0bbbbbbbbbbbbbbb2}]
    """
    worker = "name: w\ntype: Worker Service\nimage:\n  location: example/w:1\n"
    imported = run_import(make_workspace({"w": worker}, environment=environment))
    network = imported.manifest["network"]
    assert "flow_logs" not in network and "flow_log_retention_days" not in network
    assert network["existing"]["vpc_id"] == "vpc-0123456789abcdef0"
    lines = messages(imported)
    assert any(
        m.startswith("7: network.vpc.flow_logs: not carried over: the toolkit imports an existing VPC as it is") for m in lines
    )
    assert not any("flow_logs.retention" in m for m in lines)  # reported once, with the field it belongs to


def test_connects_to_every_web_and_backend_with_a_port(make_workspace: MakeWorkspace) -> None:
    web = "name: web\ntype: Load Balanced Web Service\nimage:\n  location: example/web:1\n  port: 80\nhttp:\n  path: /\n"
    api = "name: api\ntype: Backend Service\nimage:\n  location: example/api:1\n  port: 8080\n"
    worker = "name: worker\ntype: Worker Service\nimage:\n  location: example/w:1\n"
    imported = run_import(make_workspace({"web": web, "api": api, "worker": worker}))
    services = imported.manifest["services"]
    assert services["web"]["connects_to"] == ["api"]
    assert services["api"]["connects_to"] == ["web"]
    assert services["worker"]["connects_to"] == ["api", "web"]
    assert services["web"]["discovery"] == {"name": "web"}  # Copilot registers every service in Cloud Map
    assert any("connects_to: converted: in Copilot every service" in m and "remove the ones" in m for m in messages(imported))
    assert any(m.startswith("1: COPILOT_*: not carried over:") and "QUEUE_URL (workers)" in m for m in messages(imported))


def test_addons_with_parameters(make_workspace: MakeWorkspace) -> None:
    api = "name: api\ntype: Backend Service\nimage:\n  location: example/api:1\n  port: 8080\n"
    files = {
        "copilot/api/addons/table.yml": "Resources: {}\n",
        "copilot/api/addons/bucket.yaml": "Resources: {}\n",
        "copilot/api/addons/addons.parameters.yml": "Parameters:\n  Stage: blue\n  Arn: !GetAtt X.Arn\n",
    }
    imported = run_import(make_workspace({"api": api}, files=files))
    assert imported.manifest["services"]["api"]["addons"] == [
        {"template": "../app/copilot/api/addons/bucket.yaml", "parameters": {"Stage": "blue"}},
        {"template": "../app/copilot/api/addons/table.yml", "parameters": {"Stage": "blue"}},
    ]
    assert any(m.startswith("3: Parameters.Arn: not carried over") for m in messages(imported))


def test_unsupported_types_only_is_an_error(make_workspace: MakeWorkspace) -> None:
    site = "name: site\ntype: Static Site\nfiles: []\n"
    rdws = "name: rd\ntype: Request-Driven Web Service\nimage:\n  location: example/rd:1\n"
    with pytest.raises(ImportError_) as raised:
        run_import(make_workspace({"site": site, "rd": rdws}))
    lines = raised.value.lines
    assert any("rd/manifest.yml:2: type: Request-Driven Web Service: not imported: runs on AWS App Runner" in x for x in lines)
    assert any("site/manifest.yml:2: type: Static Site: not imported" in x for x in lines)
    assert lines[-1].endswith(
        "nothing to import: no service of a supported type (Load Balanced Web Service, Backend "
        "Service, Worker Service, Scheduled Job)"
    )


def test_malformed_yaml_names_the_file_and_line(make_workspace: MakeWorkspace) -> None:
    broken = "name: api\ntype: Backend Service\nimage:\n  location: [unclosed\n  port: 80\n"
    with pytest.raises(ImportError_) as raised:
        run_import(make_workspace({"api": broken}))
    assert len(raised.value.lines) == 1
    assert raised.value.lines[0].startswith(f"{make_workspace({}) / 'copilot/api/manifest.yml'}:")
    assert ": yaml: " in raised.value.lines[0]


def test_missing_manifests_are_errors(make_workspace: MakeWorkspace) -> None:
    root = make_workspace({})
    (root / "copilot" / "ghost").mkdir()
    with pytest.raises(ImportError_) as raised:
        run_import(root)
    assert raised.value.lines == [
        f"{root}/copilot/ghost/manifest.yml: not found: every folder under copilot/ is a service with a manifest.yml"
    ]
    with pytest.raises(ImportError_) as missing_env:
        run_import(root, environment="prod")
    assert missing_env.value.lines == [
        f"{root}/copilot/environments/prod/manifest.yml: not found: the workspace's environments are test"
    ]


def test_command_writes_the_manifest_with_the_report_as_comments(
    make_workspace: MakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    web = "name: web\ntype: Load Balanced Web Service\nimage:\n  location: example/web:1\n  port: 80\nhttp:\n  path: /\n"
    site = "name: site\ntype: Static Site\nfiles: []\n"
    root = make_workspace({"web": web + "observability:\n  tracing: awsxray\n", "site": site})
    output = tmp_path / "out" / "test.yaml"
    assert main(["import-copilot", str(root), "--env", "test", "-o", str(output)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert not output.read_text().startswith("# yaml-language-server")  # no schema/manifest.schema.json above tmp_path
    report = [line for line in printed if not line.startswith("wrote ")]
    text = output.read_text()
    for line in report:
        assert f"# {line}" in text or f"#   {line}" in text
    assert any(
        line.endswith(
            "observability.tracing: not carried over: no X-Ray sidecar is added; add the AWS Distro "
            "for OpenTelemetry collector under sidecars"
        )
        for line in report
    )
    assert printed[-1] == f"wrote {output}: 1 service, {len(report)} report lines above"
    # Never overwrite without --force.
    output.write_text("mine\n")
    assert main(["import-copilot", str(root), "--env", "test", "-o", str(output)]) == 1
    assert "exists: give --force" in capsys.readouterr().err
    assert output.read_text() == "mine\n"
    assert main(["import-copilot", str(root), "--env", "test", "-o", str(output), "--force"]) == 0
    assert output.read_text() == text


def test_command_writes_nothing_on_errors(
    make_workspace: MakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_workspace({"api": "name: api\ntype: [\n"})
    output = tmp_path / "out.yaml"
    assert main(["import-copilot", str(root), "--env", "test", "-o", str(output)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{root}/copilot/api/manifest.yml:")
    assert not output.exists()


def test_command_exits_2_and_names_what_the_written_manifest_needs(
    make_workspace: MakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Copilot looks an imported VPC up at deploy; the toolkit needs its CIDR and zones written down."""
    environment = """
    name: test
    type: Environment
    network:
      vpc:
        id: vpc-0123456789abcdef0
        subnets:
          public: [{id: subnet-0aaaaaaaaaaaaaaa1}, {id: subnet-0aaaaaaaaaaaaaaa2}]
          private: [{id: subnet-0bbbbbbbbbbbbbbb1}, {id: subnet-0bbbbbbbbbbbbbbb2}]
    """
    worker = "name: worker\ntype: Worker Service\nimage:\n  location: example/worker:1\n"
    root = make_workspace({"worker": worker}, environment=environment)
    output = tmp_path / "out" / "test.yaml"
    assert main(["import-copilot", str(root), "--env", "test", "-o", str(output)]) == 2
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1].startswith(f"wrote {output}: 1 service,")
    text = output.read_text()
    line = 1 + text.splitlines().index("  existing:")
    assert captured.err.splitlines() == [
        f"{output}: the written manifest needs these changes before it validates:",
        f"  {output}:{line}: network.existing.availability_zones: is required",
        f"  {output}:{line}: network.existing.cidr: is required",
        f"{output}: written all the same, as the starting point: make the changes above, then run ecs-toolkit synth -c {output}",
    ]
    # The report line that says why is in the manifest too; once the values are written it validates.
    assert "network.existing needs cidr and availability_zones" in text
    written_down = "  existing:\n    cidr: 10.0.0.0/16\n    availability_zones: [eu-west-1a, eu-west-1b]\n"
    fixed = text.replace("  existing:\n", written_down)
    output.write_text(fixed)
    assert sorted(load_manifest(output).services) == ["worker"]


def test_the_field_table_is_the_importers_truth(tmp_path: Path) -> None:
    """Every table entry appears in the everything fixture; carried and converted ones are read, dropped ones reported.

    The fixture is valid Copilot, so its environments differ: ``full`` makes its VPC, ``imported`` imports one (Copilot
    refuses subnet ids beside cidr and az, and the deprecated ingress fields beside the new ones); each is imported.
    """
    root = tmp_path / "everything"
    shutil.copytree(FIXTURES / "everything", root)
    environments = sorted(p.name for p in (root / "copilot" / "environments").iterdir() if (p / "manifest.yml").is_file())
    assert environments == ["full", "imported"]
    notes = [note for environment in environments for note in run_import(root, environment=environment).notes]
    reported = {(note.file.split("/copilot/")[-1], note.field) for note in notes}
    paths: dict[str, set[tuple[str, ...]]] = {"service": set(), "environment": set()}
    for manifest in sorted((root / "copilot").glob("**/manifest.yml")):
        kind = "environment" if "environments" in manifest.parts else "service"
        located = read_located(manifest, str(manifest))
        for path in located.origins:
            paths[kind].add(path)
    for rule in FIELDS:
        if rule.manifest == "workspace" or rule.pattern in ("addons", "name", "type", "environments"):
            continue
        matches = [p for p in paths[rule.manifest] if rule.matches(p)]
        assert matches, f"the everything fixture has no {rule.manifest} field {rule.pattern}"
        dotted = {".".join(p) for p in matches}
        said = {field for _, field in reported if field in dotted}
        if rule.outcome == DROPPED:
            assert said, f"{rule.pattern}: not carried over, yet not in the report"
        else:
            assert rule.outcome in (CARRIED, CONVERTED)
            wrong = [
                n
                for n in notes
                if n.field in dotted and "not carried over" in n.message and "is not one the importer" in n.message
            ]
            assert not wrong, f"{rule.pattern}: the table says {rule.outcome}, the importer did not read it: {wrong}"
    unknown = [n for n in notes if "that the importer knows" in n.message]
    assert not unknown, unknown


def test_the_guide_table_is_generated_from_the_field_table() -> None:
    page = (ROOT / "docs" / "guide" / "copilot-migration.md").read_text(encoding="utf-8")
    assert docs_with_table(page) == page, "run: python -m ecs_toolkit.copilot --write docs/guide/copilot-migration.md"


def test_fixture_with_unsupported_types_only_exits_1_and_names_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    output = tmp_path / "out.yaml"
    assert main(["import-copilot", "tests/copilot/fixtures/unsupported-only", "--env", "test", "-o", str(output)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "tests/copilot/fixtures/unsupported-only/copilot/runner/manifest.yml:2: type: Request-Driven Web Service: not "
        "imported: runs on AWS App Runner, not ECS; make it a Load Balanced Web Service to import it",
        "tests/copilot/fixtures/unsupported-only/copilot/site/manifest.yml:2: type: Static Site: not imported: is an S3 "
        "bucket behind CloudFront, not a container; host it outside the ECS environment",
        "tests/copilot/fixtures/unsupported-only: nothing to import: no service of a supported type (Load Balanced Web "
        "Service, Backend Service, Worker Service, Scheduled Job)",
    ]
    assert not output.exists()


def test_fixture_with_malformed_yaml_exits_1_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    output = tmp_path / "out.yaml"
    assert main(["import-copilot", "tests/copilot/fixtures/malformed", "--env", "test", "-o", str(output)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "tests/copilot/fixtures/malformed/copilot/api/manifest.yml:5: yaml: mapping values are not allowed here"
    ]
    assert not output.exists()


def test_the_manifest_names_the_project_schema_above_it(make_workspace: MakeWorkspace, tmp_path: Path) -> None:
    web = "name: web\ntype: Load Balanced Web Service\nimage:\n  location: example/web:1\n  port: 80\nhttp:\n  path: /\n"
    root = make_workspace({"web": web})
    project = tmp_path / "project"
    (project / "schema").mkdir(parents=True)
    (project / "schema" / "manifest.schema.json").write_text("{}")
    output = project / "config" / "test.yaml"
    assert main(["import-copilot", str(root), "--env", "test", "-o", str(output)]) == 0
    assert output.read_text().splitlines()[0] == "# yaml-language-server: $schema=../schema/manifest.schema.json"
