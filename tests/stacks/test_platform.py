"""The platform of the default manifest: cluster, EC2 and Fargate capacity, shared ALB."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match

from tests.conftest import Synthesized
from tests.stacks.test_iam import ECS_AGENT_ACTIONS, SESSION_MANAGER_ACTIONS


def _user_data(default_env: Synthesized) -> list[str]:
    template = default_env.template(default_env.environment.platform).to_json()
    scripts = []
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::EC2::LaunchTemplate":
            scripts.append(json.dumps(resource["Properties"]["LaunchTemplateData"]["UserData"]))
    return scripts


def test_uses_launch_templates_and_never_a_launch_configuration(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.resource_count_is("AWS::AutoScaling::LaunchConfiguration", 0)
    template.resource_count_is("AWS::EC2::LaunchTemplate", 2)


def test_requires_imdsv2_with_hop_limit_one_and_encrypted_root_volumes(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.all_resources_properties(
        "AWS::EC2::LaunchTemplate",
        {
            "LaunchTemplateData": Match.object_like(
                {
                    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
                    "BlockDeviceMappings": [
                        {"DeviceName": "/dev/xvda", "Ebs": Match.object_like({"Encrypted": True, "VolumeType": "gp3"})}
                    ],
                }
            )
        },
    )


def test_pins_the_dynamic_host_port_range_on_every_instance(default_env: Synthesized) -> None:
    scripts = _user_data(default_env)
    assert len(scripts) == 2
    assert all("ECS_DYNAMIC_HOST_PORT_RANGE=61000-61999" in script for script in scripts)
    assert all("ECS_CLUSTER=" in script for script in scripts)


def test_writes_spot_draining_into_the_agent_config_of_spot_groups_only(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform).to_json()
    by_group = {
        logical_id: json.dumps(resource["Properties"]["LaunchTemplateData"]["UserData"])
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::EC2::LaunchTemplate"
    }
    spot = [script for logical_id, script in by_group.items() if "spot" in logical_id.lower()]
    ondemand = [script for logical_id, script in by_group.items() if "ondemand" in logical_id.lower()]
    assert len(spot) == 1 and len(ondemand) == 1
    assert "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true" in spot[0]
    assert "ECS_ENABLE_SPOT_INSTANCE_DRAINING" not in ondemand[0]


def test_spot_group_uses_price_capacity_optimized_mixed_instances(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.has_resource_properties(
        "AWS::AutoScaling::AutoScalingGroup",
        {
            "MixedInstancesPolicy": Match.object_like(
                {
                    "InstancesDistribution": Match.object_like(
                        {"OnDemandPercentageAboveBaseCapacity": 0, "SpotAllocationStrategy": "price-capacity-optimized"}
                    ),
                    "LaunchTemplate": Match.object_like(
                        {
                            "Overrides": [
                                {"InstanceType": "t3.medium"},
                                {"InstanceType": "t3a.medium"},
                                {"InstanceType": "m5.large"},
                            ]
                        }
                    ),
                }
            ),
            "CapacityRebalance": True,
        },
    )


def test_capacity_providers_use_managed_scaling_and_draining_without_termination_protection(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.resource_count_is("AWS::ECS::CapacityProvider", 2)
    template.all_resources_properties(
        "AWS::ECS::CapacityProvider",
        {
            "AutoScalingGroupProvider": Match.object_like(
                {
                    "ManagedScaling": Match.object_like({"Status": "ENABLED"}),
                    "ManagedTerminationProtection": "DISABLED",
                    "ManagedDraining": "ENABLED",
                }
            )
        },
    )
    template.has_resource_properties(
        "AWS::ECS::CapacityProvider",
        {"AutoScalingGroupProvider": Match.object_like({"ManagedScaling": Match.object_like({"TargetCapacity": 90})})},
    )


def test_auto_scaling_groups_let_cdk_destroy_finish(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.all_resources_properties("AWS::AutoScaling::AutoScalingGroup", {"NewInstancesProtectedFromScaleIn": False})
    template.has_resource_properties("AWS::AutoScaling::AutoScalingGroup", {"MinSize": "0", "MaxSize": "6"})


def test_cluster_associates_fargate_spot_and_every_ec2_group_with_the_default_strategy(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    associations = template.find_resources("AWS::ECS::ClusterCapacityProviderAssociations")
    assert len(associations) == 1
    properties = next(iter(associations.values()))["Properties"]
    providers = properties["CapacityProviders"]
    assert "FARGATE" in providers and "FARGATE_SPOT" in providers
    assert sum(1 for provider in providers if isinstance(provider, dict)) == 2
    assert properties["DefaultCapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1},
        {"CapacityProvider": "FARGATE_SPOT", "Base": 0, "Weight": 3},
    ]


def test_cluster_has_enhanced_container_insights_and_logged_exec(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.has_resource_properties(
        "AWS::ECS::Cluster",
        {
            "ClusterSettings": [{"Name": "containerInsights", "Value": "enhanced"}],
            "Configuration": {"ExecuteCommandConfiguration": Match.object_like({"Logging": "OVERRIDE"})},
        },
    )
    template.resource_count_is("AWS::ServiceDiscovery::PrivateDnsNamespace", 1)


def test_instance_role_holds_only_the_agent_and_session_manager_permissions_and_the_manifests_policies(
    default_env: Synthesized,
) -> None:
    template = default_env.template(default_env.environment.platform).to_json()
    allowed = {
        *SESSION_MANAGER_ACTIONS,
        *ECS_AGENT_ACTIONS,
        "ecs:DeregisterContainerInstance",
        "ecs:RegisterContainerInstance",
        "ecs:Submit*",
        "ecs:Poll",
        "ecs:StartTelemetrySession",
    }
    instance_policies = [
        resource["Properties"]["PolicyDocument"]["Statement"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy" and "InstanceRole" in logical_id
    ]
    assert len(instance_policies) == 2
    for statements in instance_policies:
        actions = {action for statement in statements for action in _as_list(statement["Action"])}
        assert actions <= allowed, actions - allowed
    roles = {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role" and "InstanceRole" in k}
    assert len(roles) == 2
    # Managed policies only where the manifest names them: the CloudWatch agent's on the ondemand group.
    managed = {
        ("ondemand" if "ondemand" in key else "spot"): role["Properties"].get("ManagedPolicyArns", [])
        for key, role in roles.items()
    }
    assert managed == {"ondemand": ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"], "spot": []}


def test_load_balancer_drops_invalid_headers_logs_access_and_answers_404_by_default(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {
            "Scheme": "internet-facing",
            "LoadBalancerAttributes": Match.array_with(
                [
                    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                ]
            ),
        },
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "DefaultActions": [
                Match.object_like({"Type": "fixed-response", "FixedResponseConfig": Match.object_like({"StatusCode": "404"})})
            ],
        },
    )
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": Match.any_value(),
            "LifecycleConfiguration": {"Rules": Match.array_with([Match.object_like({"ExpirationInDays": 90})])},
        },
    )


def test_instances_admit_exactly_the_pinned_range_and_only_from_the_load_balancer(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform).to_json()
    ingress = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"]
    to_instances = [rule for rule in ingress if "Ec2Group" in json.dumps(rule["GroupId"])]
    assert len(to_instances) == 2
    for rule in to_instances:
        assert (rule["FromPort"], rule["ToPort"], rule["IpProtocol"]) == (61000, 61999, "tcp")
        assert "LoadBalancerSecurityGroup" in json.dumps(rule["SourceSecurityGroupId"])
        assert "CidrIp" not in rule
    groups = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroup"]
    for group in groups:
        for rule in group.get("SecurityGroupIngress", []):
            if rule.get("CidrIp") == "0.0.0.0/0":
                assert rule["FromPort"] == rule["ToPort"] == 80


def test_flow_logs_go_to_a_log_group_with_retention(default_env: Synthesized) -> None:
    assert default_env.environment.network is not None
    template = default_env.template(default_env.environment.network)
    template.has_resource_properties("AWS::EC2::FlowLog", {"TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"})
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 90})
    template.resource_count_is("AWS::EC2::NatGateway", 1)


def test_subnets_take_their_zones_from_the_region_at_deploy_time(default_env: Synthesized) -> None:
    assert default_env.environment.network is not None
    template = default_env.template(default_env.environment.network)
    template.has_resource_properties("AWS::EC2::Subnet", {"AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}})


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]
