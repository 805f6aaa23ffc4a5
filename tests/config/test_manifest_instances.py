"""EC2 groups' AMIs from their instance types, GPU reservations against the groups' GPUs, user data and
instance-role policies.

Manifests are written whole here: ``GROUP`` puts the group's first line (``- name: ...``) on line 5.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.config import derived

HEAD = "name: test\ncluster:\n  capacity:\n    ec2:\n"


def group(types: str, extra: str = "") -> str:
    return HEAD + f"      - name: gpu\n        instance_types: [{types}]\n        max: 2\n" + extra


@pytest.mark.parametrize(
    ("types", "ami"),
    [
        ("g5.12xlarge", "al2023-gpu"),
        ("g5.xlarge, g6.xlarge", "al2023-gpu"),
        ("p4d.24xlarge", "al2023-gpu"),
        ("inf2.xlarge, trn1.2xlarge", "al2023-neuron"),
        ("m7g.large", "al2023-arm64"),
        ("m5.large, c5.large", "al2023"),
    ],
)
def test_a_group_gets_the_ami_its_instance_types_need(manifest, types: str, ami: str) -> None:
    config = manifest.load(group(types))

    assert derived.ami_of(config.cluster.capacity.ec2[0]) == ami


def test_fails_when_a_group_mixes_gpu_and_plain_types_without_choosing(manifest) -> None:
    assert manifest.problems(group("g5.xlarge, m5.large")) == [
        "6: cluster.capacity.ec2.0.instance_types: no one AMI fits every type (m5.large needs the standard x86_64 AMI; "
        "g5.xlarge needs the GPU AMI (NVIDIA driver, x86_64)): split the group, or choose one with ami"
    ]


def test_a_mixed_group_may_choose_the_gpu_ami(manifest) -> None:
    config = manifest.load(group("g5.xlarge, m5.large", "        ami: al2023-gpu\n"))

    assert derived.ami_of(config.cluster.capacity.ec2[0]) == "al2023-gpu"


@pytest.mark.parametrize(
    ("types", "ami", "problem"),
    [
        (
            "g5.12xlarge",
            "al2023",
            "g5.12xlarge has GPUs, and the standard x86_64 AMI has no GPU driver, so tasks cannot use them: use al2023-gpu",
        ),
        (
            "m5.large",
            "al2023-arm64",
            "the arm64 AMI does not boot x86_64 types (m5.large): use al2023, al2023-gpu or al2023-neuron",
        ),
        (
            "m7g.large",
            "al2023-gpu",
            "the GPU AMI (NVIDIA driver, x86_64) has no arm64 build, and m7g.large is a Graviton type: use al2023-arm64",
        ),
        (
            "inf2.xlarge",
            "al2023",
            "inf2.xlarge has Neuron accelerators, and the standard x86_64 AMI has no Neuron driver: use al2023-neuron",
        ),
        ("m5.large", "al2023-neuron", "the Neuron AMI is for Inferentia and Trainium types, not m5.large"),
    ],
)
def test_fails_when_the_chosen_ami_does_not_fit_the_types(manifest, types: str, ami: str, problem: str) -> None:
    assert manifest.problems(group(types, f"        ami: {ami}\n")) == [f"8: cluster.capacity.ec2.0.ami: {problem}"]


def test_fails_on_arm64_gpu_types_which_no_ecs_gpu_ami_boots(manifest) -> None:
    assert manifest.problems(group("g5g.xlarge")) == [
        "6: cluster.capacity.ec2.0.instance_types: g5g.xlarge is an arm64 GPU type, and the ECS-optimized GPU AMI is "
        "x86_64 only: use x86_64 GPU types"
    ]


SERVICE = "services:\n  train:\n    kind: worker\n    image: app\n    capacity: [{provider: gpu}]\n"


def test_fails_when_a_task_reserves_more_gpus_than_an_instance_of_its_group_has(manifest) -> None:
    text = group("g5.xlarge, g5.12xlarge") + SERVICE + "    gpus: 2\n"

    assert manifest.problems(text) == [
        "13: services.train.gpus: a task reserves 2 GPUs on one instance, but in group 'gpu' g5.xlarge has 1: "
        "give the group types with enough GPUs, or reserve fewer"
    ]


def test_sidecar_gpus_count_toward_the_task(manifest) -> None:
    text = (
        group("g5.12xlarge") + SERVICE + "    gpus: 2\n    sidecars:\n      - {name: side, image: x, memory_mib: 32, gpus: 3}\n"
    )

    assert manifest.problems(text) == [
        "13: services.train.gpus: a task reserves 5 GPUs on one instance, but in group 'gpu' g5.12xlarge has 4: "
        "give the group types with enough GPUs, or reserve fewer"
    ]


def test_fails_when_a_fargate_service_reserves_gpus(manifest) -> None:
    text = "name: test\nservices:\n  train:\n    kind: worker\n    image: app\n    cpu: 256\n    memory_mib: 512\n    gpus: 1\n"

    assert manifest.problems(text) == [
        "8: services.train.gpus: Fargate has no GPUs: run the service on an EC2 group with GPU instance types"
    ]


def test_instance_role_statements_are_checked_like_task_roles(manifest) -> None:
    text = group("m5.large", "        instance_role:\n          statements: [{actions: ['*'], resources: ['*']}]\n")

    assert manifest.problems(text) == [
        "9: cluster.capacity.ec2.0.instance_role.statements.0: allows every action on every resource: "
        "name the actions (service:Action) and the resources"
    ]
