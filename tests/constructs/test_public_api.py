"""The constructs' public API: what ecs_toolkit.constructs exports, the docs' example, one test module per module."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match
from constructs import Construct

import ecs_toolkit.constructs
from tests.conftest import ROOT, new_app

MODULES = sorted(info.name for info in pkgutil.iter_modules(ecs_toolkit.constructs.__path__))


def test_every_construct_module_has_its_own_test_module() -> None:
    assert len(MODULES) == 17
    missing = [name for name in MODULES if not (ROOT / "tests" / "constructs" / f"test_{name}.py").is_file()]
    assert not missing


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_construct_and_spec_is_exported(module_name: str) -> None:
    module = importlib.import_module(f"ecs_toolkit.constructs.{module_name}")
    public = [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and inspect.isclass(value)
        and value.__module__ == module.__name__
        and (issubclass(value, Construct) or dataclasses.is_dataclass(value) or name == "EcsTask")
    ]
    assert public
    assert set(public) <= set(ecs_toolkit.constructs.__all__), sorted(set(public) - set(ecs_toolkit.constructs.__all__))
    for name in ecs_toolkit.constructs.__all__:
        assert getattr(ecs_toolkit.constructs, name) is not None


@pytest.mark.parametrize("name", [n for n in ecs_toolkit.constructs.__all__ if n[0].isupper()])
def test_constructs_take_typed_keyword_only_options(name: str) -> None:
    exported = getattr(ecs_toolkit.constructs, name)
    if not isinstance(exported, type) or dataclasses.is_dataclass(exported):
        return
    parameters = list(inspect.signature(exported.__init__).parameters.values())[1:]
    positional = [p.name for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert positional in (["scope", "construct_id"], ["scope"]), positional
    untyped = [p.name for p in parameters if p.annotation is inspect.Parameter.empty]
    assert not untyped


@pytest.fixture(scope="module")
def readme_example() -> assertions.Template:
    """The docs' hand-written example (docs/guide/constructs.md), executed as written (its code block is the source)."""
    page = (ROOT / "docs" / "guide" / "constructs.md").read_text()
    block = re.search(r"^# Using the constructs in hand-written CDK\n.*?```python\n(.*?)```", page, re.S)
    assert block is not None
    app = new_app()
    stack = cdk.Stack(app, "HandWritten")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    namespace: dict[str, object] = {"self": stack, "vpc": vpc}
    exec(block.group(1), namespace)
    return assertions.Template.from_stack(stack)


def test_readme_example_builds_a_bridge_service_behind_the_alb_on_spot(readme_example: assertions.Template) -> None:
    readme_example.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "NetworkMode": "bridge",
            "ContainerDefinitions": [Match.object_like({"PortMappings": [Match.object_like({"HostPort": 0})]})],
        },
    )
    readme_example.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress", {"FromPort": 61000, "ToPort": 61999, "SourceSecurityGroupId": Match.any_value()}
    )
    readme_example.has_resource_properties("AWS::ElasticLoadBalancingV2::ListenerRule", {"Priority": 100})
    readme_example.has_resource_properties(
        "AWS::ECS::Service",
        {"DeploymentConfiguration": Match.object_like({"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}})},
    )
    readme_example.resource_count_is("AWS::AutoScaling::LaunchConfiguration", 0)


def test_no_construct_opens_the_cdk_default_ephemeral_range(readme_example: assertions.Template) -> None:
    rules = readme_example.find_resources("AWS::EC2::SecurityGroupIngress")
    assert rules
    assert all(rule["Properties"].get("FromPort") != 32768 for rule in rules.values())


def _messages(source: str) -> list[str]:
    """The longest literal part of each ``raise ValueError(...)`` message (placeholders and the construct's name cut out)."""
    found = []
    for match in re.finditer(r"raise ValueError\(\s*((?:f?\"[^\"]*\"\s*)+)\)", source):
        text = re.sub(r"^[A-Za-z0-9]+: ", "", "".join(re.findall(r"f?\"([^\"]*)\"", match.group(1))))
        found.append(max(re.split(r"\{[^}]*\}", text), key=len).strip())
    return found


@pytest.mark.parametrize("module_name", MODULES)
def test_every_validation_error_of_a_module_is_tested_in_its_test_module(module_name: str) -> None:
    source = (ROOT / "ecs_toolkit" / "constructs" / f"{module_name}.py").read_text()
    text = (ROOT / "tests" / "constructs" / f"test_{module_name}.py").read_text().replace("\\", "")
    tests = re.sub(r"\"\s*\n\s*f?\"", "", text)  # adjacent string literals read as one
    untested = [message for message in _messages(source) if message not in tests]
    assert not untested
