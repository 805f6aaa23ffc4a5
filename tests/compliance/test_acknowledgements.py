"""One test per acknowledgement in the source: where it lands in every example manifest.

The ``acknowledge(...)`` calls are read from the source (``ecs_toolkit.checks.inventory``), so a new
one gets its test without editing this file. Each test finds the acknowledgements that call made
in the synthesized apps of all example manifests and proves that each sits on one construct below
its stack (never a stack or the app), carries the call's reason, and silences a real finding. A
call that no example manifest exercises is skipped, and says so.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.checks import inventory
from ecs_toolkit.compliance import MIN_REASON_LENGTH
from tests.compliance.common import MANIFESTS, label, nag_result

SITES = [site for site in inventory.sites() if site.kind == "acknowledge"]


def _id(site: inventory.Site) -> str:
    first_word = str(site.reason).split(" ", 1)[0].strip(":,;")
    return f"{site.owner}-{site.rule}-{first_word}"


@pytest.mark.xdist_group("acknowledgements")
@pytest.mark.parametrize("site", SITES, ids=[_id(site) for site in SITES])
def test_acknowledgement_sits_on_one_construct_with_its_reason_and_silences_a_finding(site: inventory.Site) -> None:
    found = 0
    problems: list[str] = []
    for manifest in MANIFESTS:
        result = nag_result(manifest)
        for ack in result.acknowledgements:
            if not site.matches(ack.rule_id, ack.reason):
                continue
            found += 1
            where = f"{label(manifest)}: {ack.rule_id} on {ack.path}"
            if ack.scope_kind != "construct":
                problems.append(f"{where}: attached to a {ack.scope_kind}, not to the construct that trips the rule")
            if len(ack.reason.strip()) < MIN_REASON_LENGTH:
                problems.append(f"{where}: reason {ack.reason!r} is too short to check")
            if result.is_nag_rule(ack.rule_id) and not any(ack.silences(finding) for finding in result.raw):
                problems.append(f"{where}: silences no finding")
    if not found:
        pytest.skip(f"no example manifest exercises {site.file}:{site.line} ({site.owner})")
    assert not problems, "\n".join(problems)
