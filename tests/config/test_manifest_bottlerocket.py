"""Bottlerocket EC2 groups: the AMI against the instance types, TOML settings instead of shell user data, and
no bridge mode (Bottlerocket cannot pin the ECS agent's dynamic host-port range).

``group()`` puts the group's first line (``- name: rocket``) on line 5, ``ami`` on line 8.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.config import derived

HEAD = "name: test\ncluster:\n  capacity:\n    fargate: false\n    ec2:\n"


def group(types: str, ami: str, extra: str = "") -> str:
    return HEAD + f"      - name: rocket\n        instance_types: [{types}]\n        max: 2\n        ami: {ami}\n" + extra


SERVICE = "services:\n  api:\n    kind: backend\n    image: app\n    port: 8080\n"


@pytest.mark.parametrize(
    ("types", "ami"),
    [("m5.large, c5.large", "bottlerocket"), ("m7g.large", "bottlerocket-arm64"), ("g5.xlarge", "bottlerocket-gpu")],
)
def test_loads_each_bottlerocket_variant_on_the_types_it_boots(manifest, types: str, ami: str) -> None:
    config = manifest.load(group(types, ami))

    assert derived.is_bottlerocket(config.cluster.capacity.ec2[0]) and derived.ami_of(config.cluster.capacity.ec2[0]) == ami


@pytest.mark.parametrize(
    ("types", "ami", "problem"),
    [
        ("m7g.large", "bottlerocket", "bottlerocket is x86_64, and m7g.large is a Graviton type: use bottlerocket-arm64"),
        (
            "m5.large",
            "bottlerocket-arm64",
            "the arm64 AMI does not boot x86_64 types (m5.large): use bottlerocket or bottlerocket-gpu",
        ),
        (
            "g5.xlarge",
            "bottlerocket",
            "g5.xlarge has GPUs, and bottlerocket has no GPU driver, so tasks cannot use them: use bottlerocket-gpu",
        ),
        (
            "inf2.xlarge",
            "bottlerocket",
            "inf2.xlarge has Neuron accelerators, and Bottlerocket has no ECS variant with the Neuron driver: use al2023-neuron",
        ),
    ],
)
def test_fails_when_the_bottlerocket_variant_does_not_fit_the_types(manifest, types: str, ami: str, problem: str) -> None:
    assert manifest.problems(group(types, ami)) == [f"9: cluster.capacity.ec2.0.ami: {problem}"]


def test_fails_on_shell_user_data_and_on_settings_for_amazon_linux(manifest) -> None:
    shell = group("m5.large", "bottlerocket", "        user_data: [echo hi]\n")
    settings = group("m5.large", "al2023", "        bottlerocket_settings: {kernel: {lockdown: integrity}}\n")

    assert manifest.problems(shell) == [
        "10: cluster.capacity.ec2.0.user_data: Bottlerocket runs no shell commands at boot (its user data is TOML "
        "settings): write settings in bottlerocket_settings instead"
    ]
    assert manifest.problems(settings) == [
        "10: cluster.capacity.ec2.0.bottlerocket_settings: applies to Bottlerocket groups only (ami bottlerocket, -arm64 or -gpu)"
    ]


def test_fails_on_settings_the_toolkit_writes_and_on_null(manifest) -> None:
    text = group(
        "m5.large",
        "bottlerocket",
        "        bottlerocket_settings:\n"
        "          ecs: {cluster: other, image-pull-behavior: once}\n"
        "          kernel: {sysctl: {vm.max_map_count: null}}\n",
    )

    assert manifest.problems(text) == [
        "11: cluster.capacity.ec2.0.bottlerocket_settings.ecs.cluster: is written by the toolkit (the cluster the group "
        "joins): leave it out",
        "12: cluster.capacity.ec2.0.bottlerocket_settings.kernel.sysctl.vm.max_map_count: TOML has no null: give a "
        "value, or leave the key out",
    ]


def test_services_on_bottlerocket_default_to_awsvpc_and_bridge_is_refused_with_the_reason(manifest) -> None:
    config = manifest.load(group("m5.large", "bottlerocket") + SERVICE)
    (problem,) = manifest.problems(group("m5.large", "bottlerocket") + SERVICE + "    network_mode: bridge\n")

    assert derived.network_mode_of(config, config.services["api"]) == "awsvpc"
    assert problem.startswith("15: services.api.network_mode: bridge mode cannot run on Bottlerocket group 'rocket': ")
    assert "no setting for the ECS agent's dynamic host-port range" in problem
    assert problem.endswith("Use network_mode awsvpc (the default on Bottlerocket) or host, or an al2023 group")


def test_host_mode_runs_on_bottlerocket(manifest) -> None:
    config = manifest.load(group("m5.large", "bottlerocket") + SERVICE + "    network_mode: host\n")

    assert derived.network_mode_of(config, config.services["api"]) == "host"
