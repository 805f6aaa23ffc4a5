"""'Did you mean' for names that refer to another part of the manifest: providers, services, file systems."""

from __future__ import annotations

import pytest

from ecs_toolkit.config.rules.common import did_you_mean
from ecs_toolkit.helpers.discover import require_known
from ecs_toolkit.helpers.errors import UsageError
from tests.config.conftest import Manifests

WEB = """\
kind: web
image: nginx
port: 80
cpu: 256
memory_mib: 512
route: {path: "/*"}
"""


def test_a_misspelt_ec2_group_in_a_strategy_gets_the_closest_group(manifest: Manifests) -> None:
    text = manifest.base.replace("name: general", "name: spot") + "services:\n  api:\n"
    text += "".join(f"    {line}\n" for line in [*WEB.splitlines(), "capacity: [{provider: spto}]"])
    assert manifest.problems(text) == [
        "18: services.api.capacity.0.provider: capacity provider 'spto' is not in the cluster: did you mean 'spot'?"
    ]


def test_a_fargate_provider_in_the_wrong_case_or_spelling_gets_its_real_name_and_no_launch_guess(manifest: Manifests) -> None:
    body = WEB + "capacity: [{provider: fargate-spot}]\n"
    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.capacity.0.provider: "
        "capacity provider 'fargate-spot' is not in the cluster: did you mean 'FARGATE_SPOT'?"
    ]


def test_a_misspelt_file_system_gets_the_closest_name(manifest: Manifests) -> None:
    text = manifest.base + "file_systems: {shared: {}, logs: {}}\nservices:\n  api:\n"
    text += "".join(f"    {line}\n" for line in [*WEB.splitlines(), "volumes: {shard: /data}"])
    assert manifest.problems(text) == [
        "19: services.api.volumes.shard: file system 'shard' is not defined under file_systems: did you mean 'shared'?"
    ]


def test_a_misspelt_callee_gets_the_closest_service(manifest: Manifests) -> None:
    text = manifest.services("api:\n" + "".join(f"  {line}\n" for line in [*WEB.splitlines(), "connects_to: [ordrs]"]))
    text += "  orders: {kind: backend, image: redis, port: 6379, cpu: 256, memory_mib: 512}\n"
    assert manifest.problems(text) == [
        "18: services.api.connects_to.0: there is no service named 'ordrs': did you mean 'orders'?"
    ]


@pytest.mark.parametrize(
    ("name", "known", "ending"),
    [
        ("spto", ["ondemand", "spot"], ": did you mean 'spot'?"),
        ("fargate", ["general", "FARGATE", "FARGATE_SPOT"], ": did you mean 'FARGATE'?"),
        ("gpu", ["general", "FARGATE", "FARGATE_SPOT"], " (have: general, FARGATE, FARGATE_SPOT)"),
        ("data", [], " (have: none)"),
    ],
)
def test_did_you_mean_gives_the_closest_name_or_the_names_there_are(name: str, known: list[str], ending: str) -> None:
    assert did_you_mean(name, known) == ending


def test_the_helpers_suggest_the_closest_service_name() -> None:
    with pytest.raises(UsageError) as raised:
        require_known("wbe", "a service or job", "demo", ["web", "api"])
    assert str(raised.value) == "'wbe' is not a service or job of environment demo: did you mean 'web'?"
