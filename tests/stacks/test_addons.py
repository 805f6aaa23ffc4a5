"""Addons in the synthesized stacks: the shipped example (config/examples/addons.yaml) and one app built here
with a security group, a job, a conditional output and two addons that share App/Env/Name; and what verify
proves of them."""

from __future__ import annotations

import copy
import json
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ecs_toolkit.assembly import Assembly
from ecs_toolkit.config import load_manifest
from ecs_toolkit.verify import verify
from tests.conftest import ROOT, Synthesized, synthesize, synthesize_config

EXAMPLE = ROOT / "config" / "examples" / "addons.yaml"

CLIENTS = """\
Parameters:
  Env: {Type: String}
  Name: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  DbClients:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub Clients of the ${Env} database
      SecurityGroupIngress:
        - {CidrIp: 10.0.0.0/16, IpProtocol: tcp, FromPort: 9100, ToPort: 9100, Description: metrics scraper}
  Alerts:
    Type: AWS::SNS::Topic
    Condition: IsProd
    Properties:
      KmsMasterKeyId: alias/aws/sns
      TopicName: !Sub ${Name}-alerts
Outputs:
  DbClientGroup:
    Value: !GetAtt DbClients.GroupId
  AlertsTopicArn:
    Condition: IsProd
    Value: !Ref Alerts
"""
FLAGS = """\
Parameters:
  App: {Type: String}
  Env: {Type: String}
Resources:
  FlagsParameter:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Name: !Sub /${App}/${Env}/flags
      Value: "{}"
Outputs:
  FlagsPath:
    Value: !Ref FlagsParameter
"""
MANIFEST = """\
name: tt
load_balancer: {}
services:
  api:
    kind: backend
    image: app
    port: 8080
    cpu: 256
    memory_mib: 512
    addons: [clients.yml, flags.yml]
  nightly:
    kind: job
    image: app
    cpu: 256
    memory_mib: 512
    schedule: cron(0 3 * * ? *)
    addons: [job-clients.yml]
"""


@cache
def built(directory: Path) -> Synthesized:
    (directory / "clients.yml").write_text(CLIENTS)
    (directory / "flags.yml").write_text(FLAGS)
    (directory / "job-clients.yml").write_text(CLIENTS.replace("DbClients", "JobClients").replace("DbClientGroup", "JobGroup"))
    (directory / "env.yaml").write_text(textwrap.dedent(MANIFEST))
    return synthesize_config(load_manifest(directory / "env.yaml"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return built(tmp_path_factory.mktemp("addons"))


def _by_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def _main_container(template: dict[str, Any], name: str) -> dict[str, Any]:
    (definition,) = _by_type(template, "AWS::ECS::TaskDefinition").values()
    (container,) = [c for c in definition["Properties"]["ContainerDefinitions"] if c["Name"] == name]
    return container


def test_the_example_includes_the_template_with_its_logical_ids_sections_and_supplied_parameters() -> None:
    template = synthesize(EXAMPLE).template_json("shop-orders")

    assert template["Resources"]["OrdersTable"]["Type"] == "AWS::DynamoDB::Table"
    assert template["Resources"]["OrdersTable"]["DeletionPolicy"] == "Retain"
    assert template["Resources"]["OrdersAccessPolicy"]["Type"] == "AWS::IAM::ManagedPolicy"
    assert template["Resources"]["OrdersTable"]["Metadata"]["aws:copilot:description"] == "An Amazon DynamoDB table for orders"
    assert template["Conditions"]["IsProduction"] == {"Fn::Equals": [{"Ref": "Env"}, "production"]}
    assert "Capacity" in template["Mappings"]
    parameters = template["Parameters"]
    assert {key: parameters[key]["Default"] for key in ("App", "Env", "Name")} == {"App": "shop", "Env": "shop", "Name": "orders"}
    assert "RetentionDays" not in parameters  # the manifest's value replaced it
    assert {"Key": "retention-days", "Value": "90"} in template["Resources"]["OrdersTable"]["Properties"]["Tags"]


def test_the_examples_policy_output_is_on_the_task_role_and_the_table_name_in_the_environment() -> None:
    template = synthesize(EXAMPLE).template_json("shop-orders")
    container = _main_container(template, "orders")
    (task_role,) = [
        role for key, role in _by_type(template, "AWS::IAM::Role").items() if key.startswith("ServiceTaskDefinitionTaskRole")
    ]

    assert task_role["Properties"]["ManagedPolicyArns"] == [{"Ref": "OrdersAccessPolicy"}]
    environment = {item["Name"]: item["Value"] for item in container["Environment"]}
    assert environment["ORDERS_TABLE_NAME"] == {"Ref": "OrdersTable"}
    assert environment["EVENT_BUS_NAME"] == {"Fn::ImportValue": "shop-events-BusName"}
    assert container["Secrets"] == [{"Name": "PAYMENT_API_KEY", "ValueFrom": {"Fn::ImportValue": "shop-payments-ApiKeyArn"}}]


def test_an_exported_secret_is_readable_from_either_store_by_the_execution_role_only() -> None:
    template = synthesize(EXAMPLE).template_json("shop-orders")
    imported = {"Fn::ImportValue": "shop-payments-ApiKeyArn"}
    granted = {
        action
        for policy in _by_type(template, "AWS::IAM::Policy").values()
        if "ExecutionRole" in json.dumps(policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Resource"] == imported
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }

    assert {"secretsmanager:GetSecretValue", "ssm:GetParameters"} <= granted
    task_policies = [p for p in _by_type(template, "AWS::IAM::Policy").values() if "TaskRole" in json.dumps(p)]
    assert "shop-payments-ApiKeyArn" not in json.dumps(task_policies)


def test_the_examples_acknowledgements_land_on_the_named_resources() -> None:
    synthesized = synthesize(EXAMPLE)
    stack = synthesized.app.node.find_child("shop-orders")
    policy = stack.node.find_child("Addon0").node.find_child("OrdersAccessPolicy")
    template = synthesized.template_json("shop-orders")

    acknowledged = [entry.data for entry in policy.node.metadata if entry.type == "aws:cdk:acknowledged-rules"]
    assert any("AwsSolutions-IAM5[Resource::<OrdersTable.Arn>/index/*]" in str(data) for data in acknowledged)
    skips = template["Resources"]["OrdersTable"]["Metadata"]["checkov"]["skip"]
    assert [skip["id"] for skip in skips] == ["CKV_AWS_119"]


def test_a_security_group_output_joins_the_service_tasks_and_the_jobs_runs(app: Synthesized) -> None:
    service = app.template_json("tt-api")
    (ecs_service,) = _by_type(service, "AWS::ECS::Service").values()
    groups = ecs_service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
    job = app.template_json("tt-nightly")
    (machine,) = _by_type(job, "AWS::StepFunctions::StateMachine").values()

    # CfnInclude keeps the template's short form of GetAtt ("DbClients.GroupId"), which CloudFormation reads alike.
    assert {"Fn::GetAtt": "DbClients.GroupId"} in groups and len(groups) == 2
    assert "JobClients.GroupId" in json.dumps(machine["Properties"]["DefinitionString"])
    # The groups run-task and verify read: the tasks' own and the addon's, one list like the manifest's security_groups.
    assert {"Fn::GetAtt": "DbClients.GroupId"} in service["Outputs"]["TaskSecurityGroupIds"]["Value"]["Fn::Join"][1]
    assert "JobClients.GroupId" in json.dumps(job["Outputs"]["TaskSecurityGroupIds"]["Value"])


def test_addons_share_one_parameter_each_and_a_conditional_output_is_empty_when_its_condition_is_false(
    app: Synthesized,
) -> None:
    template = app.template_json("tt-api")
    environment = {item["Name"]: item["Value"] for item in _main_container(template, "api")["Environment"]}

    assert {key: template["Parameters"][key]["Default"] for key in ("App", "Env", "Name")} == {
        "App": "tt",
        "Env": "tt",
        "Name": "api",
    }
    assert template["Resources"]["FlagsParameter"]["Properties"]["Name"] == {
        # App is first declared here, so this addon keeps it; Env is the first addon's.
        "Fn::Sub": ["/${App}/${Env}/flags", {"Env": {"Ref": "Env"}}]
    }
    assert environment["ALERTS_TOPIC_ARN"] == {"Fn::If": ["IsProd", {"Ref": "Alerts"}, ""]}
    assert environment["FLAGS_PATH"] == {"Ref": "FlagsParameter"}
    assert "DB_CLIENT_GROUP" not in environment


def test_verify_reports_addon_groups_and_their_rules_as_the_addons_own(app: Synthesized) -> None:
    findings = verify(Assembly.from_templates(_templates(app)), app.environment.config)

    carried = [f for f in findings if f.path == "api: addon DbClientGroup"]
    assert [(f.status, f.category) for f in carried] == [("ASSUMED", "connection")]
    rules = [f for f in findings if "tt-api/DbClients" in f.path]
    assert rules and all(f.status == "ASSUMED" and "the addon's own rule set" in f.detail for f in rules)
    assert not [f for f in findings if f.failed]


def test_verify_proves_the_addon_policy_on_the_task_role_and_fails_without_it() -> None:
    synthesized = synthesize(EXAMPLE)
    config = synthesized.environment.config
    templates = _templates(synthesized)
    label = "orders: addon OrdersAccessPolicy"

    (attached,) = [f for f in verify(Assembly.from_templates(templates), config) if f.path == label]
    for resource in templates["shop-orders"]["Resources"].values():
        resource.get("Properties", {}).pop("ManagedPolicyArns", None)
    (missing,) = [f for f in verify(Assembly.from_templates(templates), config) if f.path == label]

    assert attached.status == "OPEN" and missing.status == "CLOSED"


def _templates(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {stack.stack_name: copy.deepcopy(stack.template) for stack in synthesized.assembly.stacks}


def test_verify_needs_both_secret_stores_reachable_for_an_exported_secret() -> None:
    synthesized = synthesize(EXAMPLE)

    findings = verify(Assembly.from_templates(_templates(synthesized)), synthesized.environment.config)

    (api,) = [f for f in findings if f.category == "aws api" and f.path.startswith("orders tasks")]
    assert "secretsmanager" in api.path and "ssm" in api.path and api.status == "OPEN"
