"""Every broken manifest from the validation issue's list is answered by validation alone: file:line, plain words, fast.

Each case edits one line of a small valid environment; the test asserts that loading fails with
``file:line: field: message`` lines (no traceback, nothing written) and names the expected field.
"""

from __future__ import annotations

import time

import pytest

from tests.config.conftest import Manifests

VALID = """\
name: edge
region: eu-west-1
account: "111122223333"
network: {cidr: 10.0.0.0/24, azs: [eu-west-1a, eu-west-1b, eu-west-1c]}
load_balancer: {}
cluster:
  capacity:
    fargate: true
    ec2:
      - {name: small, instance_types: [t3.large], max: 2}
      - {name: spot, instance_types: [m5.large], spot: true, max: 2}
services:
  web:
    kind: web
    image: public.ecr.aws/nginx/nginx:stable
    port: 80
    cpu: 256
    memory_mib: 512
    route: {path: "/*"}
    read_only_root_filesystem: false
    connects_to: [abcdefghijklmnopqrstuvwxyz012345]
  abcdefghijklmnopqrstuvwxyz012345:
    kind: backend
    image: public.ecr.aws/docker/library/redis:7
    port: 6379
    cpu: 256
    memory_mib: 512
    read_only_root_filesystem: false
  host:
    kind: backend
    image: public.ecr.aws/docker/library/busybox:stable
    network_mode: host
    launch: ec2
    port: 9100
    capacity: [{provider: small}]
    allow_from: [10.0.0.0/24]
  report:
    kind: job
    image: public.ecr.aws/docker/library/busybox:stable
    cpu: 256
    memory_mib: 512
    schedule: "cron(0 3 * * ? *)"
    time_zone: Europe/Berlin
"""
"""Valid edge cases: a 32-character name, a /24 VPC over 3 AZs, a Spot group of one type, host mode."""

CASES = [
    ("cidr: 10.0.0.0/24", "cidr: 10.0.0.300/24", "network.cidr"),
    ("cidr: 10.0.0.0/24", "cidr: 10.0.7.1/16", "network.cidr"),
    ("cidr: 10.0.0.0/24", "cidr: 10.0.0.0/99", "network.cidr"),
    ("azs: [eu-west-1a, eu-west-1b, eu-west-1c]", "azs: [eu-west-1a, us-east-1b]", "network.azs"),
    ("instance_types: [t3.large]", "instance_types: [t3.huge]", "cluster.capacity.ec2.0.instance_types"),
    ('schedule: "cron(0 3 * * ? *)"', 'schedule: "cron(a b c d e f)"', "services.report.schedule"),
    ('schedule: "cron(0 3 * * ? *)"', 'schedule: "cron(0 3 * * * *)"', "services.report.schedule"),
    ('schedule: "cron(0 3 * * ? *)"', 'schedule: "at(2026-13-45T25:61:99)"', "services.report.schedule"),
    ("time_zone: Europe/Berlin", "time_zone: Europe/Atlantis", "services.report.time_zone"),
    ("image: public.ecr.aws/nginx/nginx:stable", "image: 'public.ecr.aws/nginx/nginx: stable'", "services.web.image"),
    ("image: public.ecr.aws/nginx/nginx:stable", "image: " + "a" * 256, "services.web.image"),
    (
        "image: public.ecr.aws/nginx/nginx:stable",
        "image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/Web:1",
        "services.web.image",
    ),
    (
        "load_balancer: {}",
        "load_balancer: {certificate_arn: 'arn:aws:acm:us-east-1:111122223333:certificate/0b0e1c7e-1111-2222-3333-444455556666'}",
        "load_balancer.certificate_arn",
    ),
    ('route: {path: "/*"}', "route: {host: localhost}", "services.web.route.host"),
    ('route: {path: "/*"}', 'route: {path: "/*"}\n    health_check: {success_codes: "200-599"}', "services.web.health_check"),
    ('route: {path: "/*"}', 'route: {path: "/*"}\n    health_check: {interval_seconds: 5, timeout_seconds: 5}', "services.web"),
    ('route: {path: "/*"}', 'route: {path: "/*"}\n    health_check: {path: /' + "h" * 1100 + "}", "services.web.health_check"),
    ('route: {path: "/*"}', 'route: {path: "/*"}\n    discovery: {name: ' + "a" * 64 + "}", "services.web.discovery"),
    ('route: {path: "/*"}', 'route: {path: "/*"}\n    discovery: {name: abcdefghijklmnopqrstuvwxyz012345}', "services"),
    ("kind: job", "kind: job\n    sidecars: [{name: side, image: busybox, cpu: 1024, memory_mib: 64}]", "services.report"),
    ("capacity: [{provider: small}]", "capacity: [{provider: small}]\n    memory_mib: 65536", "services.host"),
    ("capacity: [{provider: small}]", "capacity: [{provider: small}]\n    cpu: 8192", "services.host"),
    ("port: 9100", "port: 51678", "services.host.port"),
    ("capacity: [{provider: small}]", "capacity: [{provider: small}]\n    count: 3", "services.host.count"),
    ("capacity: [{provider: small}]", "capacity: [{provider: small}]\n    architecture: arm64", "services.host.architecture"),
    (
        "read_only_root_filesystem: false\n    connects_to",
        "read_only_root_filesystem: false\n    sidecars: [{name: side, image: busybox, port: 80, memory_mib: 64}]"
        "\n    connects_to",
        "services.web.sidecars.0.port",
    ),
    ("name: edge", "name: edge\ntags: {aws:owner: me}", "tags"),
    ("name: edge", "name: edge\ntags: {owner: " + "x" * 300 + "}", "tags"),
    ("name: edge", "name: edge\ntags: {" + ", ".join(f"t{i}: x" for i in range(61)) + "}", "tags"),
    ("  report:", "  network:", "services.network"),
]


def test_the_edge_cases_are_valid(manifest: Manifests) -> None:
    config = manifest.load(VALID)
    assert "abcdefghijklmnopqrstuvwxyz012345" in config.services


@pytest.mark.parametrize(("old", "new", "field"), CASES, ids=[f"{i:02d}-{case[2]}" for i, case in enumerate(CASES)])
def test_a_broken_manifest_is_answered_by_validation_at_its_field(manifest: Manifests, old: str, new: str, field: str) -> None:
    assert old in VALID
    started = time.perf_counter()
    problems = manifest.problems(VALID.replace(old, new, 1))
    elapsed = time.perf_counter() - started
    assert problems, "the broken manifest validated"
    assert all(line.split(":", 1)[0].isdigit() for line in problems), problems
    assert any(line.split(": ", 2)[1].startswith(field) for line in problems), problems
    assert not any("Input should" in line or "^" in line or "Traceback" in line for line in problems), problems
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
