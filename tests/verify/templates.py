"""Small hand-built templates for the proof: a platform with a VPC and an ALB, and one service stack."""

from __future__ import annotations

import copy
from typing import Any

from ecs_toolkit.assembly import Assembly
from ecs_toolkit.config.models import EnvironmentConfig

ENV = "tt"
PLATFORM = f"{ENV}-platform"
SERVICE = f"{ENV}-app"


def att(logical_id: str, name: str = "GroupId") -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, name]}


def imported(name: str) -> dict[str, Any]:
    return {"Fn::ImportValue": f"{PLATFORM}:{name}"}


def config(port: int = 8080, load_balancer: dict[str, Any] | None = None, **service: Any) -> EnvironmentConfig:
    body = {"kind": "web", "image": "nginx", "port": port, "cpu": 256, "memory_mib": 512, "route": {"path": "/*"}}
    return EnvironmentConfig.model_validate(
        {"name": ENV, "load_balancer": load_balancer or {}, "services": {"app": {**body, **service}}}
    )


def platform() -> dict[str, Any]:
    """VPC with a NAT route, an internet-facing ALB whose group admits 0.0.0.0/0 on 80, and its listener."""
    return {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "Association": {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"SubnetId": {"Ref": "Subnet"}, "RouteTableId": {"Ref": "Table"}},
            },
            "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
            "Default": {
                "Type": "AWS::EC2::Route",
                "Properties": {
                    "RouteTableId": {"Ref": "Table"},
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "NatGatewayId": {"Ref": "Nat"},
                },
            },
            "AlbGroup": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "alb",
                    "SecurityGroupIngress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80}],
                },
            },
            "Alb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Scheme": "internet-facing", "SecurityGroups": [att("AlbGroup")]},
            },
            "Http": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Port": 80, "Protocol": "HTTP", "DefaultActions": []},
            },
        },
        "Outputs": {
            "AlbGroupId": {"Value": att("AlbGroup"), "Export": {"Name": f"{PLATFORM}:AlbGroupId"}},
            "Listener": {"Value": {"Ref": "Http"}, "Export": {"Name": f"{PLATFORM}:Listener"}},
            "Subnet": {"Value": {"Ref": "Subnet"}, "Export": {"Name": f"{PLATFORM}:Subnet"}},
        },
    }


def service(port: int = 8080, protocol: str = "HTTP", mapping_protocol: str = "tcp") -> dict[str, Any]:
    """An awsvpc service behind the ALB (a rule on its listener) whose group admits the ALB on ``port``."""
    return {
        "Resources": {
            "TaskGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "tasks"}},
            "FromAlb": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": att("TaskGroup"),
                    "SourceSecurityGroupId": imported("AlbGroupId"),
                    "IpProtocol": "tcp",
                    "FromPort": port,
                    "ToPort": port,
                },
            },
            "TargetGroup": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {"Port": port, "Protocol": protocol, "TargetType": "ip", "HealthCheckPort": "traffic-port"},
            },
            "Rule": {
                "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
                "Properties": {
                    "ListenerArn": imported("Listener"),
                    "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}],
                },
            },
            "ExecutionRole": {"Type": "AWS::IAM::Role", "Properties": {}},
            "TaskRole": {"Type": "AWS::IAM::Role", "Properties": {}},
            "TaskDefinition": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "NetworkMode": "awsvpc",
                    "ExecutionRoleArn": att("ExecutionRole", "Arn"),
                    "TaskRoleArn": att("TaskRole", "Arn"),
                    "ContainerDefinitions": [
                        {"Name": "app", "Image": "nginx", "PortMappings": [{"ContainerPort": port, "Protocol": mapping_protocol}]}
                    ],
                },
            },
            "Service": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "TaskDefinition": {"Ref": "TaskDefinition"},
                    "LoadBalancers": [{"ContainerName": "app", "ContainerPort": port, "TargetGroupArn": {"Ref": "TargetGroup"}}],
                    "NetworkConfiguration": {
                        "AwsvpcConfiguration": {"SecurityGroups": [att("TaskGroup")], "Subnets": [imported("Subnet")]}
                    },
                },
            },
        }
    }


def assembly(platform_template: dict[str, Any], service_template: dict[str, Any]) -> Assembly:
    return Assembly.from_templates({PLATFORM: copy.deepcopy(platform_template), SERVICE: copy.deepcopy(service_template)})
