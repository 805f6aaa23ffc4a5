"""Instance rules: each EC2 group's AMI against its instance types, and GPU reservations against the groups' GPUs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location
from ecs_toolkit.config.rules.iam import check_role

AMI_WORDS = {
    "al2023": "the standard x86_64 AMI",
    "al2023-arm64": "the arm64 AMI",
    "al2023-gpu": "the GPU AMI (NVIDIA driver, x86_64)",
    "al2023-neuron": "the Neuron AMI (Inferentia and Trainium, x86_64)",
}
BOTTLEROCKET_OWNED = {
    ("ecs", "cluster"): "the cluster the group joins",
    ("ecs", "awsvpc-block-imds"): "on: awsvpc tasks never reach the instance's credentials",
    ("ecs", "enable-spot-instance-draining"): "on for Spot groups",
}
"""Bottlerocket settings the toolkit writes itself, and why."""
NO_HOST_PORT_RANGE = (
    "Bottlerocket has no setting for the ECS agent's dynamic host-port range (ECS_DYNAMIC_HOST_PORT_RANGE), so the "
    "agent would take bridge-mode host ports from the kernel's ephemeral range, the one outbound connections use, and "
    "the instances could not admit exactly one pinned range from the load balancer"
)


def check_instances(config: EnvironmentConfig) -> Iterator[Finding]:
    for index, group in enumerate(config.cluster.capacity.ec2):
        where: Location = ("cluster", "capacity", "ec2", index)
        if group.instance_role is not None:
            yield from check_role((*where, "instance_role"), group.instance_role)
        needs = {kind: derived.natural_ami(kind) for kind in group.instance_types}
        arm_gpus = [k for k, v in needs.items() if v == "al2023-gpu" and derived.instance_architecture(k) == "arm64"]
        if arm_gpus:
            yield (
                (*where, "instance_types"),
                f"{_they(arm_gpus, 'is an', 'are')} arm64 GPU type{'s' if len(arm_gpus) > 1 else ''}, "
                "and the ECS-optimized GPU AMI is x86_64 only: use x86_64 GPU types",
            )
            continue
        if len({derived.instance_architecture(kind) for kind in group.instance_types}) > 1:
            continue  # mixed architectures: reported by the cluster rules
        yield from _bottlerocket_group(where, group.ami, group.user_data, group.bottlerocket_settings)
        if group.ami is None:
            variants = sorted(set(needs.values()))
            if len(variants) > 1:
                listed = "; ".join(
                    _they([k for k, v in needs.items() if v == variant], "needs", "need") + f" {AMI_WORDS[variant]}"
                    for variant in variants
                )
                yield (
                    (*where, "instance_types"),
                    f"no one AMI fits every type ({listed}): split the group, or choose one with ami",
                )
            continue
        if group.ami.startswith("bottlerocket"):
            yield from _bottlerocket_ami((*where, "ami"), group.ami, needs)
        else:
            yield from _explicit_ami((*where, "ami"), group.ami, needs)
    for name, service in config.services.items():
        yield from _gpus(config, ("services", name), service)
        yield from _bottlerocket_network_mode(config, ("services", name), service)


def _bottlerocket_group(where: Location, ami: str | None, user_data: list[str], settings: dict[str, Any]) -> Iterator[Finding]:
    bottlerocket = ami is not None and ami.startswith("bottlerocket")
    if bottlerocket and user_data:
        yield (
            (*where, "user_data"),
            "Bottlerocket runs no shell commands at boot (its user data is TOML settings): "
            "write settings in bottlerocket_settings instead",
        )
    if not bottlerocket:
        if settings:
            yield (*where, "bottlerocket_settings"), "applies to Bottlerocket groups only (ami bottlerocket, -arm64 or -gpu)"
        return
    for path, why in BOTTLEROCKET_OWNED.items():
        node: Any = settings
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            yield (*where, "bottlerocket_settings", *path), f"is written by the toolkit ({why}): leave it out"
    yield from _toml_values((*where, "bottlerocket_settings"), settings)


def _toml_values(at: Location, value: Any) -> Iterator[Finding]:
    """TOML has no null, and a table's keys are non-empty strings."""
    if value is None:
        yield at, "TOML has no null: give a value, or leave the key out"
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key:
                yield at, f"{key!r} is not a setting name (a non-empty string)"
                continue
            yield from _toml_values((*at, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _toml_values((*at, index), item)


def _bottlerocket_ami(at: Location, ami: str, needs: dict[str, str]) -> Iterator[Finding]:
    arm = [k for k in needs if derived.instance_architecture(k) == "arm64"]
    x86 = [k for k in needs if derived.instance_architecture(k) != "arm64"]
    gpu = [k for k, v in needs.items() if v == "al2023-gpu"]
    neuron = [k for k, v in needs.items() if v == "al2023-neuron"]
    if neuron:
        yield (
            at,
            f"{_they(neuron, 'has', 'have')} Neuron accelerators, and Bottlerocket has no ECS variant with the Neuron "
            "driver: use al2023-neuron",
        )
    elif ami == "bottlerocket-arm64" and x86:
        yield at, f"the arm64 AMI does not boot x86_64 types ({', '.join(x86)}): use bottlerocket or bottlerocket-gpu"
    elif ami != "bottlerocket-arm64" and arm:
        graviton = f"{_they(arm, 'is a', 'are')} Graviton type{'s' if len(arm) > 1 else ''}"
        yield at, f"{ami} is x86_64, and {graviton}: use bottlerocket-arm64"
    elif gpu and ami != "bottlerocket-gpu":
        yield (
            at,
            f"{_they(gpu, 'has', 'have')} GPUs, and {ami} has no GPU driver, so tasks cannot use them: use bottlerocket-gpu",
        )


def _bottlerocket_network_mode(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    if derived.launch_of(config, service) != "ec2" or derived.network_mode_of(config, service) != "bridge":
        return
    groups = {group.name: group for group in config.cluster.capacity.ec2}
    bottlerocket = [
        item.provider
        for item in derived.service_strategy(config, service)
        if item.provider in groups and derived.is_bottlerocket(groups[item.provider])
    ]
    if bottlerocket:
        at: Location = where
        if service.network_mode is not None:
            at = (*where, "network_mode")
        elif service.capacity is not None:
            at = (*where, "capacity")
        named = ", ".join(repr(name) for name in bottlerocket)
        yield (
            at,
            f"bridge mode cannot run on Bottlerocket group{'s' if len(bottlerocket) > 1 else ''} {named}: "
            f"{NO_HOST_PORT_RANGE}. Use network_mode awsvpc (the default on Bottlerocket) or host, or an al2023 group",
        )


def _explicit_ami(at: Location, ami: str, needs: dict[str, str]) -> Iterator[Finding]:
    arm = [k for k in needs if derived.instance_architecture(k) == "arm64"]
    x86 = [k for k in needs if derived.instance_architecture(k) != "arm64"]
    gpu = [k for k, v in needs.items() if v == "al2023-gpu"]
    neuron = [k for k, v in needs.items() if v == "al2023-neuron"]
    if ami == "al2023-arm64" and x86:
        yield at, f"the arm64 AMI does not boot x86_64 types ({', '.join(x86)}): use al2023, al2023-gpu or al2023-neuron"
    elif ami != "al2023-arm64" and arm:
        what = "has no arm64 build" if ami != "al2023" else "is x86_64"
        graviton = f"{_they(arm, 'is a', 'are')} Graviton type{'s' if len(arm) > 1 else ''}"
        yield at, f"{AMI_WORDS[ami]} {what}, and {graviton}: use al2023-arm64"
    elif gpu and ami != "al2023-gpu":
        yield (
            at,
            f"{_they(gpu, 'has', 'have')} GPUs, and {AMI_WORDS[ami]} has no GPU driver, so tasks cannot use them: use al2023-gpu",
        )
    elif neuron and ami != "al2023-neuron":
        yield (
            at,
            f"{_they(neuron, 'has', 'have')} Neuron accelerators, and {AMI_WORDS[ami]} has no Neuron driver: use al2023-neuron",
        )
    elif ami == "al2023-neuron" and len(neuron) < len(needs):
        others = [k for k in needs if k not in neuron]
        yield at, f"the Neuron AMI is for Inferentia and Trainium types, not {', '.join(others)}"


def _gpus(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    needed = derived.task_gpus(service)
    if not needed:
        return
    at: Location = (*where, "gpus") if service.gpus else (*where, "sidecars")
    if derived.launch_of(config, service) == "fargate":
        yield at, "Fargate has no GPUs: run the service on an EC2 group with GPU instance types"
        return
    providers = {item.provider for item in derived.service_strategy(config, service)}
    for group in config.cluster.capacity.ec2:
        if group.name not in providers:
            continue
        short = [f"{k} has {derived.instance_gpus(k)}" for k in group.instance_types if derived.instance_gpus(k) < needed]
        if short:
            yield (
                at,
                f"a task reserves {needed} GPU{'s' if needed > 1 else ''} on one instance, but in group {group.name!r} "
                f"{', '.join(short)}: give the group types with enough GPUs, or reserve fewer",
            )


def _they(types: list[str], singular: str, plural: str) -> str:
    """``g5.xlarge has`` or ``g5.xlarge, g6.xlarge have``."""
    return f"{', '.join(types)} {singular if len(types) == 1 else plural}"
