"""Run every proof over one environment's cloud assembly."""

from __future__ import annotations

from ecs_toolkit.assembly import Assembly
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.verify.findings import Finding
from ecs_toolkit.verify.iam import prove_permissions
from ecs_toolkit.verify.messaging import prove_messaging
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


def verify(assembly: Assembly, config: EnvironmentConfig | None = None) -> list[Finding]:
    """Every intended path and permission, OPEN or CLOSED, then every rule no intended path needs.

    Without ``config`` (an app built from the constructs, no manifest) the workloads are the templates' ECS
    services and nothing declares a connection or a grant: every ingress rule from one workload's security
    groups into another's is taken as a connection and reported OPEN, so each is listed for review; the
    load-balancer, file-system, AWS API and execution-role proofs and the search for unintended rules
    are the same as with a manifest."""
    security = read_security_groups(assembly)
    if config is not None and config.network.existing is not None:
        security.vpc_cidrs.add(config.network.existing.cidr)
    proof = Proof(assembly=assembly, security=security)
    workloads = read_workloads(assembly, config)
    prove_load_balancing(proof, workloads, config)
    prove_connections(proof, workloads, config)
    prove_file_systems(proof, workloads, config)
    prove_aws_apis(proof, workloads)
    proof.findings += prove_permissions(assembly, workloads, config)
    proof.findings += prove_messaging(assembly, workloads, config)
    prove_nothing_else(proof)
    return proof.findings


__all__ = ["Peer", "verify"]
