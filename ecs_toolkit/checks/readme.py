"""The compliance page of the docs (docs/tools/compliance.md), generated from the source so that its tables cannot drift."""

from __future__ import annotations

from pathlib import Path

from ecs_toolkit.checks.inventory import Site, sites
from ecs_toolkit.checks.lint import IGNORED

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "tools" / "compliance.md"
README = PAGE
"""The old name of ``PAGE``: the section lived in the README before the docs site."""
START = "<!-- compliance:start -->"
END = "<!-- compliance:end -->"
BEFORE = "<!-- compliance:after -->"
"""Where the region goes in a page that has none yet."""

INTRO = """\
`make check` (part of `make test`) synthesizes every manifest under `config/` once and runs four gates on it;
it prints, per manifest, what each gate found and exits non-zero on anything left:

- **cdk-nag 3** (AwsSolutions, plus the manifest's extra packs): no finding left unacknowledged, and every
  acknowledgement silences a real finding;
- **cfn-lint 1.58**: no error and no warning on any template; the only ignored rules are in the table below;
- **checkov 3.3.30** (CloudFormation): no failed check; each skip is recorded on its resource with a reason;
- **container hardening**, on every task definition: not privileged, no host PID/IPC namespace, a read-only root
  file system unless the manifest opts out, the manifest's user where it gives one (never root), no plain
  environment variable named like a secret (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `AWS_*KEY*`), a log
  configuration and a hard memory limit on every container; a service without a task definition fails too.

```bash
make check                                                   # every manifest under config/
.venv/bin/python -m ecs_toolkit.checks config/default.yaml   # one manifest
.venv/bin/python -m ecs_toolkit.checks --packs hipaa          # add cdk-nag packs: hipaa, nist-800-53-r5, pci-dss-3.2.1
.venv/bin/python -m ecs_toolkit.checks --write-docs          # regenerate this page after changing an exemption
```

The extra packs (`compliance.packs` in a manifest, `--packs` here) are stricter than AwsSolutions, and the
shipped manifests do not satisfy them yet: on `config/default.yaml` (measured 2026-11-26) HIPAA reports 41 findings over 15 rules,
NIST 800-53 R5 42 over 16 and PCI DSS 3.2.1 36 over 12, mostly inline policies (CDK's grant pattern), log
groups without a customer-managed KMS key, S3 replication and logging for the access-log bucket, and a few
rules that cannot read intrinsic functions. A manifest that turns a pack on fails synth until each finding
is fixed or acknowledged in the constructs; use `--packs` to see where an environment stands.

checkov pins a boto3 that conflicts with ours, so it lives in its own venv, `.venv-checkov`, which `make check`
creates from `requirements-checkov.txt` when it is missing (about a minute, once). The compliance tests
(`tests/compliance/`) run the same gates on the shared synthesized apps.

## Acknowledgement policy

- Fix first. Acknowledge only what cannot be fixed cheaply, and say why in terms a reviewer can check.
- cdk-nag: only through `ecs_toolkit.compliance.acknowledge(construct, rule_id, reason)` (reasons under 20
  characters are refused), on the narrowest construct that trips the rule, never a stack or the app, with the
  granular rule id (`AwsSolutions-IAM5[Resource::*]`) where the rule reports one. A manifest's own
  acknowledgements (`task_role`/`execution_role` `acknowledge`, for the statements and managed policies it
  writes) go through the same call in `attach_role_policy`, with the manifest's reason; an addon's `acknowledge`
  (see the addons guide) goes through `acknowledge` and `skip_checkov` in `stacks/addons.py`. The tests tie every
  acknowledgement in every synthesized manifest to one call below and prove that it silences a finding.
- checkov: only through `ecs_toolkit.compliance.skip_checkov(resource, check_id, reason)`, which records the skip
  in that resource's template metadata; `skip_checkov_on_cdk_provider` covers the Lambda functions that CDK
  itself adds for custom resources.
- cfn-lint: a rule is ignored only in `ecs_toolkit/checks/lint.py` (`IGNORED`), limited to the resources named there.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _where(site: Site) -> str:
    return f"`{site.owner}` `{_cell(site.target)}` (`ecs_toolkit/{site.file}`)"


def _table(kind: str, header: str) -> list[str]:
    rows = [f"| {header} | Where | Reason |", "|---|---|---|"]
    seen: set[tuple[str, str, str, str]] = set()
    for site in sites():
        key = (site.file, str(site.rule), site.target, str(site.reason))
        if site.kind != kind or key in seen:
            continue
        seen.add(key)
        rows.append(f"| `{_cell(site.rule)}` | {_where(site)} | {_cell(site.reason)} |")
    return rows


def render() -> str:
    """The whole region, markers included."""
    lines = [START, INTRO]
    lines += ["## Acknowledged cdk-nag findings", "", *_table("acknowledge", "Rule"), ""]
    lines += ["## Skipped checkov checks", "", *_table("skip_checkov", "Check"), ""]
    lines += ["## Ignored cfn-lint rules", "", "| Rule | Applies to | Reason |", "|---|---|---|"]
    for rule_id, rule in IGNORED.items():
        scopes = [f"logical ids `{rule.logical_ids}`"] if rule.logical_ids else []
        scopes += [f"`{kind}`" for kind in rule.resource_types]
        scope = ", ".join(scopes)
        lines.append(f"| `{rule_id}` | {scope} | {_cell(rule.reason)} |")
    lines += ["", "Braces in a reason stand for a value computed in the code.", END]
    return "\n".join(lines)


def current(text: str) -> str | None:
    """The region as it stands in ``text``, markers included, or None."""
    if START not in text or END not in text:
        return None
    return text[text.index(START) : text.index(END) + len(END)]


def updated(text: str) -> str:
    """``text`` with the region replaced, or inserted before the helpers' region (or at the end)."""
    region = current(text)
    if region is not None:
        return text.replace(region, render())
    if BEFORE in text:
        return text.replace(BEFORE, render() + "\n\n" + BEFORE, 1)
    return text.rstrip("\n") + "\n\n" + render() + "\n"


def write(path: Path = PAGE) -> bool:
    """Rewrite the region in ``path``; True when something changed."""
    text = path.read_text()
    new = updated(text)
    if new != text:
        path.write_text(new)
    return new != text
