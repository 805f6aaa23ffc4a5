"""The construct contract's shared app: the hand-written example, built and synthesized once per test process.

Every construct module's tests read it (what the construct creates from a plain CDK app, no manifest,
and its defaults); validation errors are raised in constructors, before any synth, on throwaway stacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from ecs_toolkit.constructs import ContainerSpec
from examples.hand_written.app import HandWritten, build
from tests.conftest import new_app


@dataclass(frozen=True)
class Example:
    app: cdk.App
    built: HandWritten
    assembly: cdk.cx_api.CloudAssembly
    template: assertions.Template

    def resources(self, kind: str, **properties: Any) -> dict[str, Any]:
        """Resources of ``kind`` whose properties include ``properties`` (by ``Match.object_like``)."""
        found: dict[str, Any] = self.template.find_resources(
            kind, {"Properties": assertions.Match.object_like(properties)} if properties else None
        )
        return found

    def logical_id(self, construct: Any) -> str:
        return str(self.built.stack.get_logical_id(construct.node.default_child or construct))


@pytest.fixture(scope="session")
def example() -> Example:
    app = new_app()
    built = build(app)
    assembly = app.synth()
    return Example(app=app, built=built, assembly=assembly, template=assertions.Template.from_stack(built.stack))


@pytest.fixture
def stack() -> cdk.Stack:
    """A throwaway stack for constructor checks (never synthesized)."""
    return cdk.Stack(new_app(), "Bare")


@pytest.fixture
def vpc(stack: cdk.Stack) -> ec2.IVpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)


def container(port: int | None = 80, name: str = "app") -> ContainerSpec:
    return ContainerSpec(name=name, image=ecs.ContainerImage.from_registry("nginx"), memory_limit_mib=256, port=port)
