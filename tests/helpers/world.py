"""A deployed "demo" environment built at API level in moto, and a fake clock for waiting code.

moto runs no ECS scheduler: services never start tasks, deployments never roll out, instances never
move tasks. Where a scenario needs such a transition, the tests drive moto's ECS backend directly
through the methods below, and say so.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.ecs.models import ecs_backends

from ecs_toolkit import outputs
from ecs_toolkit.config.loader import load_manifest
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.helpers.polling import Timing

ACCOUNT = "123456789012"
AMI = "ami-12c6146b"
"""moto does not check that the AMI exists (the tests turn its default AMIs off for speed)."""
REGION = "us-east-1"
CLUSTER = "demo-Cluster-Q1W2E3R4"
ASG = "demo-platform-OndemandAsg-7TYU1"
PROVIDER = "demo-platform-OndemandProvider-K2J3"
SERVICES = {"web": "demo-web-Service-A1B2C3", "api": "demo-api-Service-D4E5F6"}
"""Manifest name -> physical ECS service name (CloudFormation-generated, so helpers must read outputs)."""
EXEC_ACTIONS = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel"]

MANIFEST = """\
name: demo
network: {azs: 2, nat_gateways: 1}
cluster:
  capacity:
    ec2:
      - {name: ondemand, instance_types: [t3.medium], min: 1, max: 4}
    fargate: true
load_balancer: {public: true}
services:
  web:
    kind: web
    image: public.ecr.aws/nginx/nginx:stable
    port: 80
    count: 2
    cpu: 256
    memory_mib: 256
    route: {path: "/*"}
    capacity: [{provider: ondemand, base: 1, weight: 1}]
    exec: true
  api:
    kind: backend
    image: public.ecr.aws/docker/library/httpd:2.4
    port: 8080
    cpu: 256
    memory_mib: 512
    capacity: [{provider: FARGATE, base: 1, weight: 1}, {provider: FARGATE_SPOT, weight: 3}]
  report:
    kind: job
    image: public.ecr.aws/docker/library/busybox:stable
    schedule: "cron(0 3 * * ? *)"
    cpu: 256
    memory_mib: 512
"""


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session(region_name=REGION)


def client(service: str) -> Any:
    """A client of the test region. One shared session: loading service models once keeps tests fast."""
    return _session().client(service)


def create_stack(name: str, stack_outputs: dict[str, str]) -> None:
    """A stack that only publishes outputs, like the real stacks do for the helpers."""
    template = {
        "Resources": {"Placeholder": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {key: {"Value": value} for key, value in stack_outputs.items()},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto: "WaitConditionHandle is not supported" (it is a no-op anyway)
        client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


def delete_stack(name: str) -> None:
    client("cloudformation").delete_stack(StackName=name)


@dataclass
class FakeClock:
    """Time that passes only when the code under test sleeps; ``on_sleep(n)`` runs after the n-th sleep."""

    on_sleep: Callable[[int], None] | None = None
    now: float = 0.0
    sleeps: int = 0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.sleeps += 1
        if self.on_sleep is not None:
            self.on_sleep(self.sleeps)

    def timing(self, poll_seconds: float = 10.0) -> Timing:
        return Timing(poll_seconds=poll_seconds, clock=self.clock, sleep=self.sleep)


@dataclass
class World:
    tmp_path: Path
    ids: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.manifest_path = self.tmp_path / "demo.yaml"
        self.manifest_path.write_text(MANIFEST)
        self.ecs = client("ecs")
        self.ec2 = client("ec2")
        self.autoscaling = client("autoscaling")
        self.elbv2 = client("elbv2")
        self.logs = client("logs")
        self.iam = client("iam")

    def client(self, service: str) -> Any:
        return client(service)

    @property
    def config(self) -> EnvironmentConfig:
        return load_manifest(self.manifest_path)

    # --- building --------------------------------------------------------------------------

    def build(self) -> World:
        self._network()
        self._capacity()
        self._services()
        self._stacks()
        return self

    def _network(self) -> None:
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        # DNS hostnames as in a CDK VPC; moto also needs them to give awsvpc task ENIs a DNS name.
        self.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        private = [
            self.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
                "SubnetId"
            ]
            for i, zone in enumerate("ab", start=1)
        ]
        public = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.100.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
        allocation = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = self.ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
        group = self.ec2.create_security_group(GroupName="demo-api-tasks", Description="api tasks", VpcId=vpc)["GroupId"]
        self.ids.update(vpc=vpc, private=private, public=[public], nat=nat, api_sg=group)

    def _capacity(self) -> None:
        image = AMI
        self.ec2.create_launch_template(
            LaunchTemplateName="demo-ondemand", LaunchTemplateData={"ImageId": image, "InstanceType": "t3.medium"}
        )
        self.autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=ASG,
            LaunchTemplate={"LaunchTemplateName": "demo-ondemand"},
            MinSize=1,
            MaxSize=4,
            DesiredCapacity=2,
            VPCZoneIdentifier=",".join(self.ids["private"]),
            NewInstancesProtectedFromScaleIn=True,
        )
        self.ecs.create_cluster(clusterName=CLUSTER)
        instances = self.asg_instances()
        self.ids["instances"] = instances
        self.ids["container_instances"] = [self.register_instance(instance) for instance in instances]

    def register_instance(self, instance_id: str) -> str:
        document = json.dumps({"instanceId": instance_id, "region": REGION, "accountId": ACCOUNT})
        arn: str = self.ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=document)["containerInstance"][
            "containerInstanceArn"
        ]
        return arn

    def asg_instances(self) -> list[str]:
        group = self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[ASG])["AutoScalingGroups"][0]
        return sorted(instance["InstanceId"] for instance in group["Instances"])

    def _role(self, name: str, actions: list[str]) -> str:
        trust = {
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        }
        arn: str = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        if actions:
            policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
            self.iam.put_role_policy(RoleName=name, PolicyName="exec", PolicyDocument=json.dumps(policy))
        return arn

    def _services(self) -> None:
        web_role = self._role("demo-web-TaskRole", [*EXEC_ACTIONS, "ssmmessages:OpenDataChannel"])
        api_role = self._role("demo-api-TaskRole", [])
        self.ids["task_definitions"] = {
            "web": self.ecs.register_task_definition(
                family="demo-web",
                networkMode="bridge",
                taskRoleArn=web_role,
                containerDefinitions=[
                    {
                        "name": "web",
                        "image": "nginx",
                        "cpu": 256,
                        "memory": 256,
                        "portMappings": [{"containerPort": 80, "hostPort": 0}],
                    }
                ],
            )["taskDefinition"]["taskDefinitionArn"],
            "api": self._fargate_task_definition("api", api_role),
            "report": self._fargate_task_definition("report", None),
        }
        target_group = self.elbv2.create_target_group(
            Name="demo-web-tg", Protocol="HTTP", Port=80, VpcId=self.ids["vpc"], TargetType="instance"
        )["TargetGroups"][0]["TargetGroupArn"]
        self.elbv2.register_targets(
            TargetGroupArn=target_group,
            Targets=[{"Id": instance, "Port": 61000 + i} for i, instance in enumerate(self.ids["instances"])],
        )
        self.ids["target_group"] = target_group
        self.ecs.create_service(
            cluster=CLUSTER, serviceName=SERVICES["web"], taskDefinition=self.ids["task_definitions"]["web"], desiredCount=2
        )
        self.ecs.create_service(
            cluster=CLUSTER,
            serviceName=SERVICES["api"],
            taskDefinition=self.ids["task_definitions"]["api"],
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": self.ids["private"], "securityGroups": [self.ids["api_sg"]]}
            },
        )
        for name in ("web", "api", "report"):
            self.logs.create_log_group(logGroupName=f"/demo/{name}")

    def _fargate_task_definition(self, name: str, role: str | None) -> str:
        extra = {"taskRoleArn": role} if role else {}
        arn: str = self.ecs.register_task_definition(
            family=f"demo-{name}",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": name, "image": name, "memory": 512}],
            **extra,
        )["taskDefinition"]["taskDefinitionArn"]
        return arn

    def _stacks(self) -> None:
        create_stack(
            "demo-network",
            {
                outputs.VPC_ID: self.ids["vpc"],
                outputs.PRIVATE_SUBNET_IDS: ",".join(self.ids["private"]),
                outputs.PUBLIC_SUBNET_IDS: ",".join(self.ids["public"]),
            },
        )
        create_stack(
            "demo-platform",
            {
                outputs.CLUSTER_NAME: CLUSTER,
                outputs.CLUSTER_ARN: f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
                outputs.CAPACITY_PROVIDERS: f"{PROVIDER},FARGATE,FARGATE_SPOT",
                outputs.EC2_GROUPS: "ondemand",
                outputs.ec2_group_asg_key("ondemand"): ASG,
                outputs.ec2_group_provider_key("ondemand"): PROVIDER,
            },
        )
        task_definitions = self.ids["task_definitions"]
        create_stack(
            "demo-web",
            {
                outputs.SERVICE_NAME: SERVICES["web"],
                outputs.TASK_DEFINITION_ARN: task_definitions["web"],
                outputs.CONTAINER_NAME: "web",
                outputs.LOG_GROUP_NAME: "/demo/web",
                outputs.LAUNCH_TYPE: "EC2",
                outputs.NETWORK_MODE: "bridge",
                outputs.CAPACITY_STRATEGY: "ondemand:1:1",
                outputs.TASK_SECURITY_GROUP_IDS: outputs.EMPTY_LIST,
                outputs.TARGET_GROUP_ARNS: self.ids["target_group"],
            },
        )
        create_stack(
            "demo-api",
            {
                outputs.SERVICE_NAME: SERVICES["api"],
                outputs.TASK_DEFINITION_ARN: task_definitions["api"],
                outputs.CONTAINER_NAME: "api",
                outputs.LOG_GROUP_NAME: "/demo/api",
                outputs.LAUNCH_TYPE: "FARGATE",
                outputs.NETWORK_MODE: "awsvpc",
                outputs.CAPACITY_STRATEGY: "FARGATE:1:1,FARGATE_SPOT:0:3",
                outputs.TASK_SECURITY_GROUP_IDS: self.ids["api_sg"],
                outputs.TARGET_GROUP_ARNS: outputs.EMPTY_LIST,
            },
        )
        create_stack(
            "demo-report",
            {
                outputs.TASK_DEFINITION_ARN: task_definitions["report"],
                outputs.CONTAINER_NAME: "report",
                outputs.LOG_GROUP_NAME: "/demo/report",
                outputs.LAUNCH_TYPE: "FARGATE",
                outputs.NETWORK_MODE: "awsvpc",
                outputs.CAPACITY_STRATEGY: "FARGATE:0:1",
                outputs.TASK_SECURITY_GROUP_IDS: self.ids["api_sg"],
                outputs.SCHEDULE_NAME: "demo-report-schedule",
            },
        )

    # --- driving moto's ECS backend where it has no scheduler ----------------------------------

    @property
    def backend(self) -> Any:
        return ecs_backends[ACCOUNT][REGION]

    def service(self, name: str) -> Any:
        return self.backend.services[f"{CLUSTER}:{SERVICES[name]}"]

    def settle(self, name: str) -> None:
        """The service's only deployment has completed with every task running."""
        service = self.service(name)
        service.running_count, service.pending_count = service.desired_count, 0
        deployment = service.deployments[0]
        deployment.update(
            status="PRIMARY", rolloutState="COMPLETED", runningCount=service.desired_count, pendingCount=0, failedTasks=0
        )
        deployment["rolloutStateReason"] = f"ECS deployment {deployment['id']} completed."
        service.deployments = [deployment]

    def start_rollout(self, name: str, running: int = 0) -> str:
        """A new PRIMARY deployment IN_PROGRESS next to the old ACTIVE one; returns the new deployment id."""
        service = self.service(name)
        old = dict(service.deployments[0], status="ACTIVE", rolloutState="COMPLETED")
        new = dict(old, id=f"ecs-svc/{len(service.deployments)}000{name}", status="PRIMARY", rolloutState="IN_PROGRESS")
        new.update(runningCount=running, pendingCount=service.desired_count - running, failedTasks=0)
        service.deployments = [new, old]
        service.running_count = old["runningCount"] + running
        return str(new["id"])

    def fail_rollout(self, name: str) -> None:
        """What the circuit breaker does: the new deployment FAILED, rolling back to the old one."""
        service = self.service(name)
        new = service.deployments[0]
        new.update(
            rolloutState="FAILED", failedTasks=3, rolloutStateReason="ECS deployment circuit breaker: tasks failed to start."
        )

    def add_event(self, name: str, message: str) -> None:
        service = self.service(name)
        event = {"id": f"event-{len(service.events) + 1}", "createdAt": datetime(2026, 5, 4, 12, len(service.events), tzinfo=UTC)}
        service.events.insert(0, dict(event, message=f"(service {SERVICES[name]}) {message}"))

    def run_service_tasks(self, name: str, count: int) -> list[str]:
        """Tasks as the service scheduler would start them on the EC2 instances (group ``service:<name>``)."""
        response = self.ecs.run_task(
            cluster=CLUSTER,
            taskDefinition=self.ids["task_definitions"][name],
            count=count,
            launchType="EC2",
            group=f"service:{SERVICES[name]}",
            startedBy="ecs-svc/1",
        )
        return [task["taskArn"] for task in response["tasks"]]

    def started_by_helper(self) -> list[Any]:
        """Tasks that ``run-task`` started (moto's task objects, to drive them)."""
        return [task for task in self.backend.tasks.get(CLUSTER, {}).values() if task.started_by == "ecs-toolkit"]

    def task(self, arn: str) -> Any:
        return self.backend.tasks[CLUSTER][arn]

    def stop_task(self, arn: str, reason: str, *, exit_code: int | None = None, container_reason: str | None = None) -> None:
        self.ecs.stop_task(cluster=CLUSTER, task=arn, reason=reason)
        task = self.task(arn)
        task.stopped_at = datetime(2026, 5, 4, 12, 30, tzinfo=UTC)
        task.stop_code = "TaskFailedToStart" if exit_code is None else "EssentialContainerExited"
        container = task.containers[0]
        container.exitCode = exit_code
        if container_reason:
            container.reason = container_reason


def put_log_lines(group: str, stream: str, lines: list[str]) -> None:
    logs = client("logs")
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)  # CloudWatch Logs (and moto) reject events older than 14 days
    events = [{"timestamp": now + i, "message": line} for i, line in enumerate(lines)]
    if events:
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


class Failing:
    """A client wrapper whose named operation raises a ClientError (``code``), like a throttled API."""

    def __init__(self, wrapped: Any, operation: str, code: str = "ThrottlingException", message: str = "Rate exceeded") -> None:
        self._wrapped = wrapped
        self._operation = operation
        self._code = code
        self._message = message
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._wrapped, name)
        if name != self._operation:
            return attribute

        def fail(**kwargs: Any) -> Any:
            self.calls += 1
            operation = self._wrapped.meta.method_to_api_mapping[name]
            error = {"Error": {"Code": self._code, "Message": self._message}, "ResponseMetadata": {"RetryAttempts": 10}}
            raise ClientError(error, operation)

        return fail
