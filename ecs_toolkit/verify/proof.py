"""Run every proof over one environment's cloud assembly."""

from __future__ import annotations

from ecs_toolkit.assembly import Assembly
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.verify.findings import Finding
from ecs_toolkit.verify.iam import prove_permissions
from ecs_toolkit.verify.network import Peer, read_security_groups
from ecs_toolkit.verify.paths import (
    Proof,
    prove_aws_apis,
    prove_connections,
    prove_file_systems,
    prove_load_balancing,
    prove_nothing_else,
)
from ecs_toolkit.verify.workloads import read_workloads


def verify(assembly: Assembly, config: EnvironmentConfig) -> list[Finding]:
    """Every intended path and permission, OPEN or CLOSED, then every rule no intended path needs."""
    security = read_security_groups(assembly)
    if config.network.existing is not None:
        security.vpc_cidrs.add(config.network.existing.cidr)
    proof = Proof(assembly=assembly, security=security)
    workloads = read_workloads(assembly, config)
    prove_load_balancing(proof, workloads, config)
    prove_connections(proof, workloads, config)
    prove_file_systems(proof, workloads)
    prove_aws_apis(proof, workloads)
    proof.findings += prove_permissions(assembly, workloads, config)
    prove_nothing_else(proof)
    return proof.findings


__all__ = ["Peer", "verify"]
