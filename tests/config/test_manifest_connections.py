"""connects_to and allow_from: every rejected declaration, at its entry, and the warning for unreachable backends."""

from __future__ import annotations

import pytest

from ecs_toolkit.config import derived
from ecs_toolkit.config.loader import load_manifest_with_warnings
from ecs_toolkit.config.rules import connection_warnings
from tests.config.conftest import Manifests

SERVICES = """\
api:
  kind: web
  image: nginx
  port: 80
  cpu: 256
  memory_mib: 512
  route: {path: "/*"}
  connects_to: [%s]
orders:
  kind: backend
  image: redis
  port: 6379
  cpu: 256
  memory_mib: 512
queue:
  kind: worker
  image: busybox
  cpu: 256
  memory_mib: 512
"""
CALLEE_LINE = 18
"""Line of api's connects_to list in SERVICES (BASE is 9 lines, ``services:`` is line 10)."""


def test_declared_connection_validates_and_is_listed(manifest: Manifests) -> None:
    config = manifest.load(manifest.services(SERVICES % "orders"))
    assert derived.declared_connections(config) == [("api", "orders")]
    assert derived.callers_of(config, "orders") == ["api"]
    assert list(connection_warnings(config)) == []


@pytest.mark.parametrize(
    ("callees", "problem"),
    [
        ("order", "connects_to.0: there is no service named 'order': did you mean 'orders'?"),
        ("api", "connects_to.0: a service reaches its own tasks without a rule: remove it"),
        ("queue", "connects_to.0: 'queue' is a worker: workers and jobs take no inbound connections"),
        ("orders, orders", "connects_to.1: 'orders' is listed twice"),
    ],
    ids=["unknown-with-a-suggestion", "itself", "a-worker", "listed-twice"],
)
def test_fails_on_a_callee_it_cannot_call(manifest: Manifests, callees: str, problem: str) -> None:
    assert manifest.problems(manifest.services(SERVICES % callees)) == [f"{CALLEE_LINE}: services.api.{problem}"]


def test_fails_when_web_callee_has_no_name_to_resolve(manifest: Manifests) -> None:
    text = manifest.services(
        SERVICES % "orders"
        + """\
front:
  kind: web
  image: nginx
  port: 8080
  cpu: 256
  memory_mib: 512
  route: {path: "/front/*"}
back:
  kind: backend
  image: redis
  port: 6380
  cpu: 256
  memory_mib: 512
  connects_to: [front]
"""
    )
    problems = manifest.problems(text)
    assert problems == [
        "43: services.back.connects_to.0: 'front' has no name its callers can resolve: "
        "give it discovery: {name: front}, or call it through its load balancer instead"
    ]


def test_allow_from_takes_cidrs_and_prefix_lists(manifest: Manifests) -> None:
    config = manifest.load(
        manifest.service("""\
        kind: backend
        image: redis
        port: 6379
        cpu: 256
        memory_mib: 512
        allow_from: [10.8.0.0/16, pl-0123abcd]
        """)
    )
    assert config.services["api"].allow_from == ["10.8.0.0/16", "pl-0123abcd"]
    assert list(connection_warnings(config)) == []


def test_fails_when_allow_from_is_not_a_network(manifest: Manifests) -> None:
    problems = manifest.problems(
        manifest.service("""\
        kind: backend
        image: redis
        port: 6379
        cpu: 256
        memory_mib: 512
        allow_from:
          - 10.8.0.1/16
          - 0.0.0.0/0
          - office
        """)
    )
    assert problems == [
        "18: services.api.allow_from.0: '10.8.0.1/16' has host bits set: the network is 10.8.0.0/16",
        "19: services.api.allow_from.1: 0.0.0.0/0 opens the service to the whole internet: put it behind a load balancer instead",
        "20: services.api.allow_from.2: 'office' is neither an IPv4 CIDR (10.8.0.0/16) nor a prefix list id (pl-0123abcd)",
    ]


def test_fails_when_allow_from_is_on_a_worker(manifest: Manifests) -> None:
    problems = manifest.problems(
        manifest.service("""\
        kind: worker
        image: busybox
        cpu: 256
        memory_mib: 512
        allow_from: [10.8.0.0/16]
        """)
    )
    assert problems == ["16: services.api.allow_from: only a backend or web service with a port takes inbound connections"]


def test_warns_about_a_backend_nothing_may_reach(manifest: Manifests) -> None:
    config = manifest.load(manifest.services(SERVICES % ""))
    assert list(connection_warnings(config)) == [
        (
            ("services", "orders"),
            "nothing may reach this backend: no service declares connects_to: [orders] and allow_from is empty",
        )
    ]


def test_the_loader_prints_the_unreachable_backend_as_a_warning_line(manifest: Manifests) -> None:
    path = manifest.write(manifest.services(SERVICES % ""))
    _, warnings = load_manifest_with_warnings(path)
    assert [line for line in warnings if "services.orders: " in line] == [
        f"{path}:19: services.orders: warning: nothing may reach this backend: "
        "no service declares connects_to: [orders] and allow_from is empty"
    ]
