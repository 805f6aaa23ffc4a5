"""What CDK still refuses at synth is one line per problem at the manifest field that caused it, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecs_toolkit.config import load_manifest
from ecs_toolkit.stacks.synth_errors import SynthProblem, field_of, report_failures

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (ROOT / "config" / "examples" / "minimal.yaml").read_text()
RDS_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c3d-xyz-AbCdEf"


@pytest.fixture(scope="module")
def config():
    return load_manifest(ROOT / "config" / "default.yaml")


@pytest.mark.parametrize(
    ("path", "properties", "expected"),
    [
        ("demo-network/Network/Vpc/PublicSubnet1/DefaultRoute", (), ("network",)),
        ("demo-platform/Cluster/ExecLogs", (), ("cluster",)),
        ("demo-platform/LoadBalancer/AccessLogs/Bucket", (), ("load_balancer",)),
        ("demo-platform/FileSystem-shared/Resource", (), ("file_systems", "shared")),
        ("demo-platform/CapacityEvents/Resource", (), ("cluster", "capacity")),
        ("demo-web/Service/TaskDefinition/Resource", (), ("services", "web")),
        ("demo-web/Scaling/Target/Resource", (), ("services", "web", "scaling")),
        ("demo-api/Route/Rule/Resource", (), ("services", "api", "route")),
        ("demo-queue/DeadLetterQueue/Resource", (), ("services", "queue", "scaling", "queue")),
        ("demo-nightly-report/Job/Resource", (), ("services", "nightly-report")),
        ("demo-web/Service/Service/Service", ("Properties.Tags",), ("tags",)),
        ("elsewhere/Thing", (), ()),
    ],
)
def test_maps_a_construct_path_to_the_manifest_field_it_came_from(config, path: str, properties, expected) -> None:
    assert field_of(config, path, properties) == expected


def test_reports_one_problem_per_failed_rule_and_field_from_the_validation_report(config, tmp_path: Path) -> None:
    report = {
        "pluginReports": [
            {
                "pluginName": "HIPAA.Security",
                "conclusion": "failure",
                "violations": [
                    {
                        "ruleName": "HIPAA.Security-CloudWatchLogGroupEncrypted",
                        "description": "The CloudWatch Log Group is not encrypted with an AWS KMS key - "
                        "(Control IDs: 164.312(b)).",
                        "severity": "error",
                        "violatingConstructs": [
                            {"constructPath": "demo-web/Service/Logs/Resource"},
                            {"constructPath": "demo-api/Service/Logs/Resource"},
                            {"constructPath": "demo-platform/Cluster/ExecLogs/Resource"},
                        ],
                    }
                ],
            },
            {
                "pluginName": "CloudFormation Validate",
                "conclusion": "failure",
                "violations": [
                    {
                        "ruleName": "F3032",
                        "description": "Tags: expected maximum item count: 50, found: 62",
                        "severity": "error",
                        "violatingConstructs": [
                            {
                                "constructPath": path,
                                "cloudFormationResource": {"propertyPaths": ["Properties.Tags"]},
                            }
                            for path in ("demo-platform/Cluster/Cluster/Resource", "demo-web/Service/Service/Service")
                        ],
                    },
                    {"ruleName": "W1", "description": "only a warning", "severity": "warning", "violatingConstructs": []},
                ],
            },
            {"pluginName": "AwsSolutions", "conclusion": "success", "violations": []},
        ]
    }
    (tmp_path / "validation-report.json").write_text(json.dumps(report))

    assert report_failures(config, tmp_path) == [
        SynthProblem(
            ("services", "web"),
            "HIPAA.Security-CloudWatchLogGroupEncrypted: The CloudWatch Log Group is not encrypted with an AWS KMS key "
            "(at demo-web/Service/Logs)",
        ),
        SynthProblem(
            ("services", "api"),
            "HIPAA.Security-CloudWatchLogGroupEncrypted: The CloudWatch Log Group is not encrypted with an AWS KMS key "
            "(at demo-api/Service/Logs)",
        ),
        SynthProblem(
            ("cluster",),
            "HIPAA.Security-CloudWatchLogGroupEncrypted: The CloudWatch Log Group is not encrypted with an AWS KMS key "
            "(at demo-platform/Cluster/ExecLogs)",
        ),
        SynthProblem(
            ("tags",),
            "CloudFormation Validate F3032: Tags: expected maximum item count: 50, found: 62 "
            "(at 2 resources, first demo-platform/Cluster/Cluster)",
        ),
    ]


def test_a_synth_without_a_report_has_no_problems(config, tmp_path: Path) -> None:
    assert report_failures(config, tmp_path) == []


# --- the app itself, on manifests crafted to reach CDK's own checks (one synth each) -----------------


def run_app(manifest: Path, outdir: Path) -> subprocess.CompletedProcess[str]:
    context = json.loads((ROOT / "cdk.json").read_text())["context"] | {"config": str(manifest)}
    env = os.environ | {
        "CDK_CONTEXT_JSON": json.dumps(context),
        "CDK_OUTDIR": str(outdir),
        "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def manifest_lines(result: subprocess.CompletedProcess[str], manifest: Path) -> list[str]:
    """Every stderr line must be a manifest line (no traceback, no jsii stack); the lines without the path."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and "jsii" not in result.stderr, result.stderr[-3000:]
    assert all(line.startswith(f"{manifest}:") for line in lines), lines
    return [line.removeprefix(f"{manifest}:") for line in lines]


def test_reports_compliance_findings_as_one_line_each_and_fails(tmp_path: Path) -> None:
    """A rule pack's findings reach the manifest field they concern (AWS's tag limit is a validation rule now)."""
    text = MINIMAL.replace("ephemeral: true\n", "ephemeral: true\ncompliance: {packs: [hipaa]}\n") + (
        f"    secrets: {{DB_PASSWORD: 'secretsmanager:{RDS_SECRET}:password'}}\n"
    )
    manifest = tmp_path / "over-limits.yaml"
    manifest.write_text(text)

    result = run_app(manifest, tmp_path / "out")

    lines = manifest_lines(result, manifest)
    assert result.returncode == 1
    assert (
        "9: network: HIPAA.Security-VPCFlowLogsEnabled: The VPC does not have an associated Flow Log "
        "(at sandbox-network/Network/Vpc)"
    ) in lines
    assert not any("CDK refused it" in line for line in lines)  # the RDS secret's ARN built fine
    assert len(lines) == len(set(lines)) > 10


def test_reports_a_construct_that_cdk_refuses_while_building_at_its_field(tmp_path: Path) -> None:
    dimensions = ", ".join(f"d{index}: v" for index in range(31))
    text = MINIMAL + (
        "    scaling:\n"
        "      max: 2\n"
        f"      custom_metric: {{namespace: App, name: Depth, target: 5, dimensions: {{{dimensions}}}}}\n"
        "file_systems: {spare: {}}\n"
    )
    manifest = tmp_path / "many-dimensions.yaml"
    manifest.write_text(text)

    result = run_app(manifest, tmp_path / "out")

    assert result.returncode == 1
    # Warnings come first: they are printed when the manifest loads, before anything is built.
    assert manifest_lines(result, manifest) == [
        "27: file_systems.spare: warning: no service mounts it: it is still created (with mount targets and backups); "
        "add it to a service's volumes or remove it",
        "24: services.hello.scaling: CDK refused it: The maximum number of dimensions is 30, received 31 "
        "(at sandbox-hello/Scaling/Target/Resource)",
    ]
