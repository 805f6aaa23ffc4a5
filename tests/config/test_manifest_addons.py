"""Addons (CloudFormation templates included in a service's stack) and ``from_cfn`` values: what loads, what is refused.

``manifest.service(body)`` puts the body's first line on line 12; ``BODY`` takes lines 12-16, so ``addons:`` is on 17.
Templates are written next to the manifest under a name of their own, and named relative to it.
"""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from ecs_toolkit.config.addons import OutputKind, env_var_name, read_template
from ecs_toolkit.config.models import AddonConfig, FromCfnConfig
from ecs_toolkit.config.rules.addons import addon_template_location

BODY = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
SUPPLIED = "Parameters:\n  App: {Type: String}\n  Env: {Type: String}\n  Name: {Type: String}\n"
TABLE = """\
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
  Access:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Table.Arn}]
Outputs:
  TableName:
    Value: !Ref Table
  Access:
    Value: !Ref Access
"""
_names = itertools.count()


def template(manifest, text: str, suffix: str = ".yml") -> tuple[str, Path]:
    """A template file beside the manifest: (the name a manifest gives, the path a message shows)."""
    path = manifest.path.parent / f"addon-{next(_names)}{suffix}"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path.name, path


def test_loads_both_forms_relative_to_the_manifest_from_any_working_directory(manifest, monkeypatch, tmp_path) -> None:
    short, path = template(manifest, SUPPLIED + TABLE)
    other, other_path = template(manifest, SUPPLIED + TABLE.replace("Table", "Other").replace("Access", "OtherAccess"))
    monkeypatch.chdir(tmp_path)

    config = manifest.load(manifest.service(BODY + f"addons:\n  - {short}\n  - {{template: {other}, parameters: {{}}}}\n"))

    first, second = config.services["api"].addons
    assert first == short and isinstance(second, AddonConfig) and second.template == other
    assert config.path_written_at(addon_template_location("api", 0), first) == path.resolve()
    assert config.path_written_at(addon_template_location("api", 1), second.template) == other_path.resolve()


def test_fails_when_the_template_does_not_exist(manifest) -> None:
    missing = manifest.path.parent / "nowhere.yml"

    assert manifest.problems(manifest.service(BODY + "addons: [nowhere.yml]\n")) == [
        f"17: services.api.addons.0: template {missing} not found (paths are relative to the manifest file that names them)"
    ]


def test_fails_with_the_templates_own_line_when_its_yaml_is_broken(manifest) -> None:
    name, path = template(manifest, "Resources:\n  Table:\n    Type: [unclosed\n")

    (problem,) = manifest.problems(manifest.service(BODY + f"addons:\n  - template: {name}\n"))

    assert problem.startswith(f"18: services.api.addons.0.template: {path}:4: yaml: ")


def test_fails_with_the_templates_own_line_when_its_json_is_broken(manifest) -> None:
    name, path = template(manifest, '{\n  "Resources": {\n    "T": {"Type": "AWS::SNS::Topic"},\n  }\n}\n', ".json")

    (problem,) = manifest.problems(manifest.service(BODY + f"addons: [{name}]\n"))

    assert problem.startswith(f"17: services.api.addons.0: {path}:4: json: ")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "Transform: AWS::Serverless-2016-10-31\n" + TABLE,
            1,
            "Transform (macros such as AWS::Serverless) is not supported in an addon",
        ),
        (
            "Resources:\n  Inner:\n    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: https://x}\n",
            2,
            "resource Inner is a nested stack (AWS::CloudFormation::Stack), which an addon cannot include",
        ),
        ("Resources: {}\n", 1, "Resources must be a mapping of at least one resource"),
        ("Resources:\n  T: {Properties: {}}\n", 2, "resource T needs a Type"),
        ("Resource:\n  T: {Type: AWS::SNS::Topic}\n", 1, "'Resource' is not a CloudFormation template section"),
    ],
    ids=["transform", "nested-stack", "no-resources", "no-type", "unknown-section"],
)
def test_fails_on_what_an_addon_cannot_include(manifest, text: str, line: int, message: str) -> None:
    name, path = template(manifest, text)

    (problem,) = manifest.problems(manifest.service(BODY + f"addons: [{name}]\n"))

    assert problem.startswith(f"17: services.api.addons.0: {path}:{line}: {message}")


def test_fails_when_a_parameter_without_default_gets_no_value_in_either_form(manifest) -> None:
    name, path = template(manifest, SUPPLIED + "  Capacity: {Type: Number}\n  Optional: {Type: String, Default: x}\n" + TABLE)

    problems = manifest.problems(manifest.service(BODY + f"addons:\n  - {name}\n  - template: {name}\n"))

    assert problems[:2] == [
        f"18: services.api.addons.0: {path}:5: parameter Capacity has no Default and no value: "
        "write the addon as {template: ..., parameters: {Capacity: ...}}",
        f"19: services.api.addons.1.parameters: {path}:5: parameter Capacity has no Default and no value: "
        "add it under parameters ({Capacity: ...})",
    ]


def test_fails_on_an_unknown_parameter_and_on_one_the_toolkit_supplies(manifest) -> None:
    name, path = template(manifest, SUPPLIED + "  Capacity: {Type: Number}\n" + TABLE)

    assert manifest.problems(
        manifest.service(BODY + f"addons:\n  - template: {name}\n    parameters: {{Capacity: 5, Capcity: 5, Env: prod}}\n")
    ) == [
        f"19: services.api.addons.0.parameters.Capcity: {path} declares no parameter Capcity: did you mean 'Capacity'?",
        "19: services.api.addons.0.parameters.Env: is supplied by the toolkit (App, Env, Name: environment, "
        "environment, service name)",
    ]


def test_fails_when_an_output_variable_is_also_in_the_environment_or_another_addon(manifest) -> None:
    first, first_path = template(manifest, SUPPLIED + TABLE)
    second, second_path = template(manifest, TABLE.replace("Table", "Other").replace("Access", "OtherAccess"))
    other_outputs = "Outputs:\n  TableName:\n    Value: !Ref Other\n"
    second_path.write_text(second_path.read_text().split("Outputs:")[0] + other_outputs)

    assert manifest.problems(manifest.service(BODY + f"addons: [{first}, {second}]\nenvironment: {{TABLE_NAME: x}}\n")) == [
        f"17: services.api.addons.0: {first_path}:17: output TableName becomes the variable TABLE_NAME, which "
        "environment.TABLE_NAME already sets: rename the output or the variable",
        f"17: services.api.addons.1: {second_path}:13: TableName is also declared by {first_path}: rename one",
        f"17: services.api.addons.1: {second_path}:13: output TableName becomes the variable TABLE_NAME, which "
        "environment.TABLE_NAME already sets: rename the output or the variable",
    ]


def test_fails_when_an_output_variable_is_one_that_publish_sets(manifest) -> None:
    outputs = "Outputs:\n  OrdersTopicArn:\n    Value: !Ref Table\n  Topics:\n    Value: !Ref Table\n"
    name, path = template(manifest, TABLE.split("Outputs:")[0] + outputs)

    assert manifest.problems(manifest.service(BODY + f"addons: [{name}]\npublish: [{{name: orders}}]\n")) == [
        f"17: services.api.addons.0: {path}:13: output OrdersTopicArn becomes the variable ORDERS_TOPIC_ARN, which "
        "publish (the service's topics) already sets: rename the output or the variable",
        f"17: services.api.addons.0: {path}:15: output Topics becomes the variable TOPICS, which "
        "publish (the service's topics) already sets: rename the output or the variable",
    ]


def test_fails_when_an_addon_declares_a_name_the_service_stack_uses(manifest) -> None:
    name, path = template(manifest, TABLE.replace("  TableName:", "  ServiceName:"))

    assert manifest.problems(manifest.service(BODY + f"addons: [{name}]\n")) == [
        f"17: services.api.addons.0: {path}:13: ServiceName is a name the service's stack already uses: rename it"
    ]


def test_fails_when_a_security_group_output_meets_bridge_mode(manifest) -> None:
    group = (
        "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: db clients}\n"
        "Outputs:\n  ClientGroup:\n    Value: !GetAtt Group.GroupId\n"
    )
    name, path = template(manifest, group)
    body = BODY + f"launch: ec2\ncapacity: [{{provider: general}}]\naddons: [{name}]\n"

    assert manifest.problems(manifest.service(body)) == [
        f"19: services.api.addons.0: {path}:6: output ClientGroup is a security group, which attaches to tasks in "
        "awsvpc mode only; this service runs in bridge mode, where its tasks use their instances' security groups "
        "(use network_mode awsvpc, or drop the output)"
    ]


def test_fails_when_an_acknowledgement_names_a_resource_the_addon_lacks(manifest) -> None:
    name, path = template(manifest, TABLE)
    body = BODY + (
        f"addons:\n  - template: {name}\n    acknowledge:\n"
        "      - {rule: AwsSolutions-DDB3, resources: [Tabel], reason: a cache table that is rebuilt from the source}\n"
    )

    assert manifest.problems(manifest.service(body)) == [
        f"20: services.api.addons.0.acknowledge.0.resources.0: {path} has no resource Tabel: did you mean 'Table'?"
    ]


def test_loads_from_cfn_in_environment_and_secrets(manifest) -> None:
    body = BODY + "environment: {BUS: {from_cfn: shop-events-BusName}}\nsecrets: {KEY: {from_cfn: 'shop:ApiKeyArn'}}\n"

    service = manifest.load(manifest.service(body)).services["api"]

    assert service.environment["BUS"] == FromCfnConfig(from_cfn="shop-events-BusName")
    assert service.secrets["KEY"] == FromCfnConfig(from_cfn="shop:ApiKeyArn")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{from_cfn: 'shop events'}", "from_cfn: must be a CloudFormation export name (1 to 255 letters, digits, colons "
         "and hyphens) (got 'shop events')"),
        ("{fromcfn: x}", "fromcfn: unknown field: did you mean 'from_cfn'?"),
    ],
    ids=["malformed-name", "misspelt-key"],
)  # fmt: skip
def test_fails_on_a_malformed_from_cfn(manifest, value: str, message: str) -> None:
    problems = manifest.problems(manifest.service(BODY + f"environment: {{BUS: {value}}}\n"))

    assert f"17: services.api.environment.BUS.{message}" in problems


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("MyTableName", "MY_TABLE_NAME"),
        ("usersDdbTableName", "USERS_DDB_TABLE_NAME"),
        ("MyDDBTableWithLSI", "MY_DDB_TABLE_WITH_LSI"),
        ("MyDDB2WithLSI", "MY_DDB2_WITH_LSI"),
        ("BucketARN", "BUCKET_ARN"),
    ],
)
def test_output_names_become_variables_as_copilot_names_them(name: str, variable: str) -> None:
    assert env_var_name(name) == variable


def test_reads_short_forms_and_classifies_outputs_by_the_resource_they_name(tmp_path: Path) -> None:
    path = tmp_path / "t.yml"
    path.write_text(
        textwrap.dedent("""\
        Conditions:
          IsProd: !Equals [!Ref AWS::StackName, prod]
        Resources:
          Group: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: x}}
          Policy: {Type: AWS::IAM::ManagedPolicy, Properties: {PolicyDocument: {}}}
          Key: {Type: AWS::SecretsManager::Secret}
        Outputs:
          GroupId: {Value: !GetAtt Group.GroupId}
          GroupRef: {Value: !Ref Group}
          PolicyArn: {Value: !Ref Policy}
          KeyArn: {Value: !Ref Key, Condition: IsProd}
          Url: {Value: !Sub "https://${Group}.example.com"}
          GroupName: {Value: !GetAtt [Group, GroupName]}
        """)
    )

    outputs = {output.name: output for output in read_template(path).outputs}

    assert {name: output.kind for name, output in outputs.items()} == {
        "GroupId": OutputKind.SECURITY_GROUP,
        "GroupRef": OutputKind.SECURITY_GROUP,
        "PolicyArn": OutputKind.MANAGED_POLICY,
        "KeyArn": OutputKind.SECRET,
        "Url": OutputKind.ENVIRONMENT,
        "GroupName": OutputKind.ENVIRONMENT,
    }
    assert outputs["Url"].value == {"Fn::Sub": "https://${Group}.example.com"}
    assert outputs["GroupId"].value == {"Fn::GetAtt": ["Group", "GroupId"]} and outputs["KeyArn"].condition == "IsProd"


def test_fails_when_an_output_would_be_a_plain_variable_named_like_a_secret_or_a_conditional_secret(manifest) -> None:
    name, path = template(
        manifest,
        """\
        Conditions:
          IsProd: !Equals [!Ref AWS::StackName, prod]
        Resources:
          Key: {Type: AWS::SecretsManager::Secret}
        Outputs:
          DbPassword: {Value: !GetAtt Key.Arn}
          ApiKey: {Value: !Ref Key, Condition: IsProd}
        """,
    )

    assert manifest.problems(manifest.service(BODY + f"addons: [{name}]\n")) == [
        f"17: services.api.addons.0: {path}:6: output DbPassword becomes the plain environment variable DB_PASSWORD, "
        "which looks like a secret: output the Ref of an AWS::SecretsManager::Secret (it becomes a container secret)",
        f"17: services.api.addons.0: {path}:7: output ApiKey is a secret with a Condition: a container secret cannot be "
        "left out when the condition is false; drop the condition or make it an environment value",
    ]
