"""checkov (CloudFormation) on every synthesized template: no failed check, every skip reasoned.

checkov runs from its own venv (``make check`` creates ``.venv-checkov``) and once for all
manifests: its start-up costs far more than a template.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecs_toolkit.checks import inventory
from ecs_toolkit.checks.checkov import CheckovReport, run_checkov
from ecs_toolkit.compliance import CHECKOV_METADATA_KEY, MIN_REASON_LENGTH
from tests.compliance.common import MANIFESTS, label, per_manifest, template_paths, templates


@pytest.fixture(scope="module")
def checkov_report(tmp_path_factory: pytest.TempPathFactory) -> CheckovReport:
    directory = tmp_path_factory.mktemp("checkov")
    for manifest in MANIFESTS:
        target = directory / label(manifest)
        target.mkdir()
        for path in template_paths(manifest):
            shutil.copy(path, target)
    return run_checkov(directory)


@pytest.mark.parametrize("manifest", per_manifest())
def test_checkov_finds_no_failed_check(manifest: Path, checkov_report: CheckovReport) -> None:
    failed = [failure for failure in checkov_report.failed if failure.file.split("/", 1)[0] == label(manifest)]
    assert not failed, "checkov failures (fix, or skip_checkov() on the resource with a reason):\n" + "\n".join(
        f"{failure.file}: {failure.check_id} {failure.resource}: {failure.name}" for failure in failed
    )


def test_checkov_parses_every_template(checkov_report: CheckovReport) -> None:
    assert checkov_report.parsing_errors == 0
    assert checkov_report.passed > 0


@pytest.mark.parametrize("manifest", per_manifest())
def test_every_checkov_skip_comes_from_skip_checkov_with_a_reason(manifest: Path) -> None:
    sites = [site for site in inventory.sites() if site.kind == "skip_checkov"]
    problems: list[str] = []
    for stack, template in templates(manifest).items():
        for logical_id, resource in template.get("Resources", {}).items():
            for skip in (resource.get("Metadata") or {}).get(CHECKOV_METADATA_KEY, {}).get("skip", []):
                check_id, comment = str(skip.get("id", "")), str(skip.get("comment", ""))
                if len(comment.strip()) < MIN_REASON_LENGTH:
                    problems.append(f"{stack}/{logical_id}: {check_id} skipped without a reason")
                elif not any(site.matches(check_id, comment) for site in sites):
                    problems.append(f"{stack}/{logical_id}: {check_id} skipped around ecs_toolkit.compliance.skip_checkov()")
    assert not problems, "\n".join(problems)
