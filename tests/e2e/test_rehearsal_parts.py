"""The rehearsal's parts without an emulator: value resolution, checks, gap detection, log parsing, the report."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ecs_toolkit.rehearsal import gaps
from ecs_toolkit.rehearsal.__main__ import main
from ecs_toolkit.rehearsal.assembly import Resource, StackTemplate, custom_resources, load_assembly
from ecs_toolkit.rehearsal.checks import CHECKS, Context, Missing, same
from ecs_toolkit.rehearsal.custom_resources import CustomResourceResponder
from ecs_toolkit.rehearsal.deploy import deploy_failures, destroy_failures, last_error
from ecs_toolkit.rehearsal.fixes import register_task_definition
from ecs_toolkit.rehearsal.ops import run_status
from ecs_toolkit.rehearsal.report import Destroy, Rehearsal, render, to_json
from ecs_toolkit.rehearsal.values import UNRESOLVED, StackValues
from ecs_toolkit.rehearsal.verify import Outcome, ResourceResult, StackResult, Verification

ROOT = Path(__file__).resolve().parents[2]


def stack_values(**physical_ids: str) -> StackValues:
    types = {"Group": "AWS::EC2::SecurityGroup", "Role": "AWS::IAM::Role", "Queue": "AWS::SQS::Queue"}
    return StackValues("demo-web", types, physical_ids, {"Size": "3"}, {"demo-platform:Cluster": "cluster-1"})


def stack(name: str, resources: dict[str, dict[str, Any]], dependencies: tuple[str, ...] = ()) -> StackTemplate:
    template = {"Resources": resources}
    parsed = {key: Resource(name, key, body["Type"], body.get("Properties", {})) for key, body in resources.items()}
    return StackTemplate(name, template, dependencies, parsed)


class TestValues:
    def test_resolves_refs_to_physical_ids_parameters_and_pseudo_parameters(self) -> None:
        values = stack_values(Queue="https://queue")
        assert values.resolve({"Ref": "Queue"}) == "https://queue"
        assert values.resolve({"Ref": "Size"}) == "3"
        assert values.resolve({"Ref": "AWS::Region"}) == "us-east-1"
        assert values.resolve({"Ref": "AWS::StackName"}) == "demo-web"

    def test_resolves_imports_and_string_functions(self) -> None:
        values = stack_values()
        imported = {"Fn::ImportValue": "demo-platform:Cluster"}
        assert values.resolve(imported) == "cluster-1"
        assert values.resolve({"Fn::Join": ["/", ["a", imported]]}) == "a/cluster-1"
        assert values.resolve({"Fn::Select": [1, {"Fn::Split": ["-", imported]}]}) == "1"

    def test_resolves_attributes_that_follow_from_the_physical_id(self) -> None:
        values = stack_values(Group="sg-1", Role="web-role")
        assert values.resolve({"Fn::GetAtt": ["Group", "GroupId"]}) == "sg-1"
        assert values.resolve({"Fn::GetAtt": ["Role", "Arn"]}) == "arn:aws:iam::123456789012:role/web-role"

    def test_resolves_a_vpc_cidr_from_its_literal_template_property(self) -> None:
        types = {"Vpc": "AWS::EC2::VPC", "Other": "AWS::EC2::VPC"}
        properties = {"Vpc": {"CidrBlock": "10.40.0.0/20"}, "Other": {"Ipv4IpamPoolId": "ipam-pool-1"}}
        values = StackValues("net", types, {"Vpc": "vpc-1", "Other": "vpc-2"}, properties=properties)
        assert values.resolve({"Fn::GetAtt": ["Vpc", "CidrBlock"]}) == "10.40.0.0/20"
        assert values.resolve({"Fn::GetAtt": ["Other", "CidrBlock"]}) is UNRESOLVED

    def test_leaves_what_it_cannot_know_unresolved(self) -> None:
        values = stack_values(Queue="https://queue")
        assert values.resolve({"Fn::GetAtt": ["Queue", "Arn"]}) is UNRESOLVED
        assert values.resolve({"Ref": "Missing"}) is UNRESOLVED
        assert values.resolve(["x", {"Fn::If": ["c", 1, 2]}]) is UNRESOLVED

    def test_an_empty_physical_id_is_not_a_value(self) -> None:
        values = StackValues("demo-web", {"Point": "AWS::EFS::AccessPoint"}, {"Point": ""})
        assert values.resolve({"Ref": "Point"}) is UNRESOLVED

    def test_keeps_plain_mappings_and_resolves_inside_them(self) -> None:
        assert stack_values(Queue="q").resolve({"Key": "a", "Value": {"Ref": "Queue"}}) == {"Key": "a", "Value": "q"}


class FakeEcs:
    def __init__(self, services: list[dict[str, Any]]) -> None:
        self.services = services

    def describe_services(self, **_: Any) -> dict[str, Any]:
        return {"services": self.services}


SERVICE = Resource(
    "demo-web", "Service", "AWS::ECS::Service", {"Cluster": "cluster-1", "TaskDefinition": {"Ref": "Task"}, "DesiredCount": 2}
)


class TestChecks:
    def test_compares_like_cloudformation_does(self) -> None:
        assert same(2, "2") and same(True, "true")
        assert same({"HttpTokens": "required", "Extra": 1}, {"HttpTokens": "required"})
        assert not same([1, 2], [1])
        assert same("anything", UNRESOLVED)

    def test_a_matching_service_passes(self) -> None:
        context = self.context([{"status": "ACTIVE", "taskDefinition": "arn:task:1", "desiredCount": 2}])
        CHECKS["AWS::ECS::Service"](context, SERVICE, "web")
        assert context.problems == []

    def test_reports_a_service_whose_desired_count_differs_from_the_template(self) -> None:
        context = self.context([{"status": "ACTIVE", "taskDefinition": "arn:task:1", "desiredCount": 1}])
        CHECKS["AWS::ECS::Service"](context, SERVICE, "web")
        assert context.problems == ["desired count is 1, the template says 2"]

    def test_fails_when_the_service_is_missing_or_inactive(self) -> None:
        with pytest.raises(Missing):
            CHECKS["AWS::ECS::Service"](self.context([{"status": "INACTIVE"}]), SERVICE, "web")

    @pytest.mark.parametrize(
        ("source", "permissions", "found"),
        [
            (
                "10.40.0.0/20",
                [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.40.0.0/20"}]}],
                True,
            ),
            (
                "10.40.0.0/20",
                [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                False,
            ),
            ({"Fn::GetAtt": ["Queue", "Arn"]}, [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": []}], True),
            ({"Fn::GetAtt": ["Queue", "Arn"]}, [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": []}], False),
        ],
        ids=["same-cidr", "other-cidr", "unknown-source-same-port", "unknown-source-other-port"],
    )
    def test_an_ingress_rule_is_found_by_port_and_by_source_when_the_source_is_known(
        self, source: Any, permissions: list[dict[str, Any]], found: bool
    ) -> None:
        group = {"GroupId": "sg-1", "VpcId": "vpc-1", "Description": "d", "IpPermissions": permissions}
        ec2 = type("FakeEc2", (), {"describe_security_groups": lambda self, **_: {"SecurityGroups": [group]}})()
        context = Context(lambda service: ec2, stack_values(Queue="q"))
        rule = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": source}
        CHECKS["AWS::EC2::SecurityGroup"](
            context, Resource("demo-web", "Sg", "AWS::EC2::SecurityGroup", {"SecurityGroupIngress": [rule]}), "sg-1"
        )
        assert context.problems == ([] if found else ["inbound tcp 443: no such rule on sg-1"])

    def test_a_vpc_endpoint_is_checked_for_its_service_type_and_route_tables(self) -> None:
        endpoint = {"VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.s3", "VpcEndpointType": "Gateway"}
        endpoint["RouteTableIds"] = ["rtb-1"]  # type: ignore[assignment]
        ec2 = type("FakeEc2", (), {"describe_vpc_endpoints": lambda self, **_: {"VpcEndpoints": [endpoint]}})()
        context = Context(lambda service: ec2, stack_values())
        properties = {
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]},
            "VpcEndpointType": "Gateway",
            "RouteTableIds": ["rtb-1", "rtb-2"],
        }
        CHECKS["AWS::EC2::VPCEndpoint"](context, Resource("demo-web", "S3", "AWS::EC2::VPCEndpoint", properties), "vpce-1")
        assert context.problems == ["route tables are ['rtb-1'], the template says ['rtb-1', 'rtb-2']"]

    @staticmethod
    def context(services: list[dict[str, Any]]) -> Context:
        values = StackValues("demo-web", {"Task": "AWS::ECS::TaskDefinition"}, {"Task": "arn:task:1"})
        return Context(lambda service: FakeEcs(services), values)


class FakeSns:
    def __init__(self, attributes: dict[str, str]) -> None:
        self.attributes = attributes

    def get_topic_attributes(self, **_: Any) -> dict[str, Any]:
        return {"Attributes": self.attributes}


@pytest.mark.parametrize(
    ("attributes", "problems"),
    [
        ({"KmsMasterKeyId": "key-1", "FifoTopic": "true"}, []),
        ({"KmsMasterKeyId": "key-1"}, ["FIFO is False, the template says True"]),
        ({"FifoTopic": "true"}, ["encryption key is False, the template says True"]),
    ],
    ids=["as-the-template-says", "not-fifo", "not-encrypted"],
)
def test_a_topic_is_checked_for_its_key_and_fifo(attributes: dict[str, str], problems: list[str]) -> None:
    topic = Resource(
        "demo-api", "Topic", "AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}, "FifoTopic": True}
    )
    context = Context(lambda service: FakeSns(attributes), StackValues("demo-api", {}, {}))
    CHECKS["AWS::SNS::Topic"](context, topic, "arn:aws:sns:us-east-1:123456789012:t.fifo")
    assert context.problems == problems


class TestGaps:
    def test_finds_every_kind_of_reference(self) -> None:
        template = {
            "A": {"Ref": "One"},
            "B": {"Fn::GetAtt": ["Two", "Arn"]},
            "C": {"Fn::GetAtt": "Three.Id"},
            "D": {"Fn::Sub": "${Four}/${Five.Name}/${AWS::Region}"},
        }
        assert set(gaps._references(template)) == {
            ("One", ""),
            ("Two", "Arn"),
            ("Three", "Id"),
            ("Four", ""),
            ("Five", "Name"),
        }

    def test_only_reads_of_types_the_emulator_skips_need_a_placeholder(self) -> None:
        platform = stack(
            "demo-platform",
            {
                "Namespace": {"Type": "AWS::ServiceDiscovery::PrivateDnsNamespace"},
                "Queue": {"Type": "AWS::SQS::Queue"},
                "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"Namespace": {"Fn::GetAtt": ["Namespace", "Arn"]}}},
                "Reader": {"Type": "AWS::SNS::Topic", "Properties": {"Queue": {"Ref": "Queue"}}},
                "Alarm": {"Type": "AWS::CloudWatch::Alarm"},
            },
        )
        assert gaps.skipped_reads([platform]) == [
            gaps.Read("demo-platform", "Namespace", "AWS::ServiceDiscovery::PrivateDnsNamespace", "Arn")
        ]
        assert gaps.modelled("Custom::Anything") and not gaps.modelled("AWS::CloudWatch::Alarm")


class TestAssembly:
    def test_orders_stacks_after_their_dependencies(self, tmp_path: Path) -> None:
        artifacts = {
            "demo-web": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "web.json"},
                "dependencies": ["demo-platform"],
            },
            "demo-platform": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "platform.json"}},
            "Tree": {"type": "cdk:tree"},
        }
        (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
        (tmp_path / "web.json").write_text(json.dumps({"Resources": {"Empty": {"Type": "Custom::Empty", "Properties": {}}}}))
        (tmp_path / "platform.json").write_text(json.dumps({"Resources": {}}))
        stacks = load_assembly(tmp_path)
        assert [item.name for item in stacks] == ["demo-platform", "demo-web"]
        assert [resource.logical_id for resource in custom_resources(stacks[1])] == ["Empty"]


class TestCliLogs:
    def test_reads_why_each_stack_could_not_be_destroyed(self, tmp_path: Path) -> None:
        log = tmp_path / "cdk-destroy.log"
        log.write_text("demo-web: destroyed\n❌  demo-network: destroy failed DeploymentError: The vpc vpc-1 has dependencies.\n")
        assert destroy_failures(log) == {"demo-network": "The vpc vpc-1 has dependencies."}
        assert last_error(log).startswith("❌  demo-network")

    def test_reads_why_each_stack_failed_to_deploy_and_names_emulator_crashes(self, tmp_path: Path) -> None:
        log = tmp_path / "cdk-deploy.log"
        log.write_text(
            "❌  demo-platform failed to deploy\n‣ CertificateNotFound: Supplied certificate was not found\n"
            "❌  demo-web failed to deploy\n‣ Error: @aws-sdk XML parse error: mismatched tags <html> and </title>.\n"
        )
        assert deploy_failures(log) == {
            "demo-platform": "CertificateNotFound: Supplied certificate was not found",
            "demo-web": "the emulator failed on the request (HTTP 500; the traceback is in emulator.log)",
        }


class CallbackRecorder(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]] = []
    paths: list[tuple[str, str]] = []

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        CallbackRecorder.bodies.append(json.loads(self.rfile.read(length)))
        CallbackRecorder.paths.append((self.path, self.headers["User-Agent"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return None


@pytest.fixture
def callback_endpoint() -> Iterator[str]:
    CallbackRecorder.bodies = []
    CallbackRecorder.paths = []
    server = HTTPServer(("localhost", 0), CallbackRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


NETWORK_STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/demo-network/1"


class FakeCloudFormation:
    def list_stacks(self, **_: Any) -> dict[str, Any]:
        return {"StackSummaries": [{"StackName": "demo-network", "StackId": NETWORK_STACK_ID}]}


class TestCustomResources:
    def test_answers_the_custom_resources_of_a_pending_stack_once(self, callback_endpoint: str) -> None:
        network = stack("demo-network", {"Restrict": {"Type": "Custom::VpcRestrictDefaultSG"}, "Vpc": {"Type": "AWS::EC2::VPC"}})
        idle = stack("demo-platform", {"AutoDelete": {"Type": "Custom::S3AutoDeleteObjects"}})
        responder = CustomResourceResponder(
            endpoint=callback_endpoint,
            cloudformation=FakeCloudFormation(),
            stacks=[network, idle],
            settled=contextlib.nullcontext,
        )
        responder.poll()
        responder.poll()
        assert CallbackRecorder.bodies == [
            {"Status": "SUCCESS", "StackId": NETWORK_STACK_ID, "LogicalResourceId": "Restrict", "Data": {}}
        ]
        assert [(answer.stack, answer.logical_id) for answer in responder.answered] == [("demo-network", "Restrict")]
        # moto reads the region of an unsigned callback from its user agent
        assert CallbackRecorder.paths == [
            (f"/cloudformation_eu-west-1/cfnresponse?stack={NETWORK_STACK_ID}", "ecs-toolkit-rehearsal region/eu-west-1")
        ]


class TestReport:
    def test_a_failed_check_fails_the_rehearsal_and_is_listed(self) -> None:
        verification = Verification(
            [StackResult("demo-web", "CREATE_COMPLETE")],
            [
                ResourceResult(
                    "demo-web", "Service", "AWS::ECS::Service", Outcome.FAILED, "desired count is 1, the template says 2"
                ),
                ResourceResult("demo-web", "Alarm", "AWS::CloudWatch::Alarm", Outcome.SKIPPED, "not modelled by the emulator"),
            ],
        )
        rehearsal = Rehearsal("config/default.yaml", "moto", verification=verification, destroy=Destroy(["demo-web"]))
        text = render(rehearsal)
        assert "FAILED: 1 problem(s)" in text
        assert "demo-web/Service (AWS::ECS::Service): desired count is 1, the template says 2" in text
        assert json.loads(to_json(rehearsal))["passed"] is False

    def test_names_the_service_properties_the_emulator_drops_instead_of_claiming_them(self) -> None:
        service = ResourceResult("demo-web", "Service", "AWS::ECS::Service", Outcome.VERIFIED)
        queue = ResourceResult("demo-web", "Queue", "AWS::SQS::Queue", Outcome.VERIFIED)
        with_service = render(Rehearsal("c.yaml", "moto", verification=Verification([], [service, queue])))
        without = render(Rehearsal("c.yaml", "moto", verification=Verification([], [queue])))

        assert "Properties the emulator does not keep" in with_service
        assert "AWS::ECS::Service: DeploymentConfiguration (strategy" in with_service
        assert "Properties the emulator does not keep" not in without

    def test_a_stack_that_did_not_complete_fails_the_rehearsal(self) -> None:
        rehearsal = Rehearsal("c.yaml", "moto", verification=Verification([StackResult("demo-web", "ROLLBACK_COMPLETE")], []))
        assert rehearsal.failures == ["stack demo-web: ROLLBACK_COMPLETE"]


class TestCommandLine:
    def test_a_bad_manifest_is_one_line_and_exit_2(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.chdir(ROOT)
        assert main(["--config", "config/missing.yaml"]) == 2
        assert capsys.readouterr().err.strip() == "config/missing.yaml: file not found"

    def test_must_run_from_the_project_root(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.chdir(tmp_path)
        assert main([]) == 2
        assert "no cdk.json" in capsys.readouterr().err

    def test_status_is_skipped_when_the_helpers_are_missing(self, tmp_path: Path) -> None:
        run = run_status(project=tmp_path, config="config/default.yaml", env={})
        assert not run.ran and "does not exist yet" in run.detail


# --- the task definition check, against task definitions registered in moto the way the rehearsal registers them


def _container(**overrides: Any) -> dict[str, Any]:
    """A container with most settings the manifests use; image and role-like values resolve at deploy time."""
    return {
        "Name": "web",
        "Image": {"Fn::Join": ["", [{"Ref": "AWS::AccountId"}, ".dkr.ecr.", {"Ref": "AWS::Region"}, ".amazonaws.com/web:1"]]},
        "Essential": True,
        "Cpu": 256,
        "Memory": 512,
        "MemoryReservation": 256,
        "DependsOn": [{"ContainerName": "init", "Condition": "SUCCESS"}],
        "LinuxParameters": {
            "Capabilities": {"Add": ["SYS_PTRACE"], "Drop": ["NET_RAW"]},
            "InitProcessEnabled": True,
            "SharedMemorySize": 64,
            "Tmpfs": [{"ContainerPath": "/tmp", "Size": 32, "MountOptions": ["rw", "noexec"]}],
        },
        "Ulimits": [{"Name": "nofile", "SoftLimit": 1024, "HardLimit": 2048}],
        "StopTimeout": 30,
        "WorkingDirectory": "/srv",
        "EntryPoint": ["sh", "-c"],
        "Command": ["serve"],
        "DnsServers": ["10.0.0.2"],
        "ExtraHosts": [{"Hostname": "db", "IpAddress": "10.0.0.9"}],
        "VolumesFrom": [{"SourceContainer": "init", "ReadOnly": True}],
        "RestartPolicy": {"Enabled": True, "IgnoredExitCodes": [0], "RestartAttemptPeriod": 60},
        "ResourceRequirements": [{"Type": "GPU", "Value": "1"}],
        "EnvironmentFiles": [{"Type": "s3", "Value": "arn:aws:s3:::config/web.env"}],
        "ReadonlyRootFilesystem": True,
        "User": "1000:1000",
        "Environment": [
            {"Name": "CLUSTER", "Value": {"Fn::ImportValue": "demo-platform:Cluster"}},
            {"Name": "QUEUE_ARN", "Value": {"Fn::GetAtt": ["Queue", "Arn"]}},
        ],
        "LogConfiguration": {"LogDriver": "awsfirelens", "Options": {"Name": "cloudwatch", "region": {"Ref": "AWS::Region"}}},
        "DockerLabels": {"Team": "web"},
        "PortMappings": [{"ContainerPort": 8080, "Protocol": "tcp", "Name": "http"}],
        "MountPoints": [{"SourceVolume": "data", "ContainerPath": "/data", "ReadOnly": False}],
        **overrides,
    }


INIT = {"Name": "init", "Image": "busybox", "Essential": False, "Memory": 64}


def _task(**overrides: Any) -> dict[str, Any]:
    return {
        "Family": "demo-web",
        "ContainerDefinitions": [_container(), INIT],
        "NetworkMode": "bridge",
        "RequiresCompatibilities": ["EC2"],
        "Cpu": "1024",
        "Memory": "2048",
        "TaskRoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
        "ExecutionRoleArn": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
        "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
        "EphemeralStorage": {"SizeInGiB": 30},
        "Volumes": [
            {"Name": "data", "Host": {"SourcePath": "/var/data"}},
            {"Name": "cache", "DockerVolumeConfiguration": {"Scope": "task", "Driver": "local", "DriverOpts": {"Type": "tmpfs"}}},
        ],
        "Tags": [{"Key": "service", "Value": "web"}],
        **overrides,
    }


def _deployed(template: dict[str, Any]) -> dict[str, Any]:
    """The properties moto's CloudFormation hands over once it has resolved the intrinsics."""
    values = StackValues("demo-web", {"Role": "AWS::IAM::Role", "ExecutionRole": "AWS::IAM::Role"}, TASK_IDS, exports=EXPORTS)
    resolved = values.resolve(template)
    for container in resolved["ContainerDefinitions"]:
        for variable in container.get("Environment", []):
            if variable["Value"] is UNRESOLVED:
                variable["Value"] = "arn:aws:sqs:us-east-1:123456789012:jobs"
    return dict(resolved)


TASK_IDS = {"Role": "web-task", "ExecutionRole": "web-execution", "Queue": "https://queue"}
EXPORTS = {"demo-platform:Cluster": "cluster-1"}


class TestTaskDefinitionCheck:
    @staticmethod
    def problems(deployed: dict[str, Any], template: dict[str, Any]) -> list[str]:
        with mock_aws():
            arn = register_task_definition(_deployed(deployed), "Task", "123456789012", "us-east-1").arn
            ecs = boto3.client("ecs", region_name="us-east-1")
            types = {"Role": "AWS::IAM::Role", "ExecutionRole": "AWS::IAM::Role", "Queue": "AWS::SQS::Queue"}
            context = Context(lambda service: ecs, StackValues("demo-web", types, TASK_IDS, exports=EXPORTS))
            CHECKS["AWS::ECS::TaskDefinition"](context, Resource("demo-web", "Task", "AWS::ECS::TaskDefinition", template), arn)
            return context.problems

    def test_a_task_definition_as_the_template_says_passes_on_every_setting(self) -> None:
        assert self.problems(_task(), _task()) == []

    @pytest.mark.parametrize(
        ("deployed", "problem"),
        [
            (
                {
                    "LinuxParameters": {
                        **_container()["LinuxParameters"],
                        "Capabilities": {"Add": ["NET_ADMIN"], "Drop": ["NET_RAW"]},
                    }
                },
                "container web linuxParameters.capabilities.add is ['NET_ADMIN'], the template says ['SYS_PTRACE']",
            ),
            (
                {"DependsOn": [{"ContainerName": "init", "Condition": "START"}]},
                "container web dependsOn[init].condition is 'START', the template says 'SUCCESS'",
            ),
            (
                {"Ulimits": [{"Name": "nofile", "SoftLimit": 1024, "HardLimit": 4096}]},
                "container web ulimits[nofile].hardLimit is 4096, the template says 2048",
            ),
            ({"StopTimeout": 120}, "container web stopTimeout is 120, the template says 30"),
            ({"MemoryReservation": 128}, "container web memoryReservation is 128, the template says 256"),
            (
                {"ResourceRequirements": [{"Type": "GPU", "Value": "2"}]},
                "container web resourceRequirements[GPU].value is '2', the template says '1'",
            ),
            (
                {"RestartPolicy": {"Enabled": False, "IgnoredExitCodes": [0], "RestartAttemptPeriod": 60}},
                "container web restartPolicy.enabled is False, the template says True",
            ),
            (
                {"Environment": [{"Name": "CLUSTER", "Value": "cluster-2"}, {"Name": "QUEUE_ARN", "Value": "anything"}]},
                "container web environment[CLUSTER].value is 'cluster-2', the template says 'cluster-1'",
            ),
            (
                {"Image": "web:2"},
                "container web image is 'web:2', the template says '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1'",
            ),
            (
                {"LogConfiguration": {"LogDriver": "awsfirelens", "Options": {"name": "cloudwatch", "region": "us-east-1"}}},
                "container web logConfiguration.options.Name is None, the template says 'cloudwatch'",
            ),
            (
                {"DnsServers": ["10.0.0.2", "10.0.0.3"]},
                "container web dnsServers is ['10.0.0.2', '10.0.0.3'], the template says ['10.0.0.2']",
            ),
        ],
        ids=[
            "capabilities",
            "depends-on",
            "ulimits",
            "stop-timeout",
            "reservation",
            "gpu",
            "restart",
            "env",
            "image",
            "options",
            "dns",
        ],
    )
    def test_a_container_setting_that_differs_fails_naming_the_container_and_the_setting(
        self, deployed: dict[str, Any], problem: str
    ) -> None:
        task = _task(ContainerDefinitions=[_container(**deployed), INIT])
        assert self.problems(task, _task()) == [problem]

    @pytest.mark.parametrize(
        ("deployed", "problem"),
        [
            ({"EphemeralStorage": {"SizeInGiB": 21}}, "ephemeralStorage.sizeInGiB is 21, the template says 30"),
            ({"Cpu": "512"}, "cpu is '512', the template says '1024'"),
            (
                {"TaskRoleArn": "arn:aws:iam::123456789012:role/other"},
                "taskRoleArn is 'arn:aws:iam::123456789012:role/other', "
                "the template says 'arn:aws:iam::123456789012:role/web-task'",
            ),
            (
                {"Volumes": [{"Name": "data", "Host": {"SourcePath": "/srv"}}, {"Name": "cache"}]},
                "volume data host.sourcePath is '/srv', the template says '/var/data'",
            ),
            ({"Tags": [{"Key": "service", "Value": "api"}]}, "tags[0].value is 'api', the template says 'web'"),
        ],
        ids=["ephemeral-storage", "cpu", "task-role", "host-volume", "tags"],
    )
    def test_a_task_setting_that_differs_fails_naming_it(self, deployed: dict[str, Any], problem: str) -> None:
        problems = self.problems(_task(**deployed), _task())
        assert problem in problems

    def test_a_docker_volume_that_lost_its_configuration_fails(self) -> None:
        deployed = _task(Volumes=[{"Name": "data", "Host": {"SourcePath": "/var/data"}}, {"Name": "cache"}])
        assert self.problems(deployed, _task()) == [
            "volume cache dockerVolumeConfiguration is None, the template says "
            "{'scope': 'task', 'driver': 'local', 'driverOpts': {'Type': 'tmpfs'}}"
        ]

    def test_a_missing_container_fails(self) -> None:
        deployed = _task(ContainerDefinitions=[_container()])
        assert self.problems(deployed, _task()) == ["container init is missing"]
