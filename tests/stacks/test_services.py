"""Service stacks of the example manifests: traffic wiring, secrets, logs, deployments."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from ecs_toolkit.config import derived, load_manifest
from tests.conftest import MANIFESTS, ROOT, Synthesized, synthesize, synthesize_config


@pytest.fixture(scope="module")
def shop() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "fargate-only.yaml")


def test_bridge_service_publishes_host_port_zero_behind_an_instance_target_group(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["web"])
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "NetworkMode": "bridge",
            "ContainerDefinitions": [
                Match.object_like({"PortMappings": [Match.object_like({"ContainerPort": 80, "HostPort": 0})]})
            ],
        },
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "TargetType": "instance",
            "HealthCheckPort": "traffic-port",
            "HealthCheckIntervalSeconds": 10,
            "HealthyThresholdCount": 2,
        },
    )
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "LoadBalancers": [Match.object_like({"ContainerName": "web", "ContainerPort": 80})],
            "PlacementStrategies": [
                {"Type": "spread", "Field": "attribute:ecs.availability-zone"},
                {"Type": "binpack", "Field": "MEMORY"},
            ],
            "DesiredCount": Match.absent(),
        },
    )


def test_bridge_service_opens_nothing_itself(default_env: Synthesized) -> None:
    """The platform opens the pinned range once; a bridge service adds no rule (CDK's would open 32768-65535)."""
    template = default_env.template(default_env.environment.services["web"])
    template.resource_count_is("AWS::EC2::SecurityGroupIngress", 0)
    template.resource_count_is("AWS::EC2::SecurityGroup", 0)


def test_ec2_service_spreads_over_ondemand_base_and_spot_weight(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["web"]).to_json()
    service = next(r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service")
    strategy = service["Properties"]["CapacityProviderStrategy"]
    assert [(item["Base"], item["Weight"]) for item in strategy] == [(1, 1), (0, 3)]
    assert "Ec2Groupondemand" in json.dumps(strategy[0]) and "Ec2Groupspot" in json.dumps(strategy[1])


def test_fargate_service_uses_ip_targets_and_admits_the_port_only_from_the_alb(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["api"])
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {"NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"], "Cpu": "256", "Memory": "512"},
    )
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", {"TargetType": "ip", "Port": 80})
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "FromPort": 80,
            "ToPort": 80,
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": {"Fn::ImportValue": Match.string_like_regexp("LoadBalancerSecurityGroup")},
        },
    )
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "CapacityProviderStrategy": [
                {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1},
                {"CapacityProvider": "FARGATE_SPOT", "Base": 0, "Weight": 3},
            ],
            "NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})},
        },
    )


def test_listener_rules_get_the_derived_priorities(default_env: Synthesized) -> None:
    config = default_env.environment.config
    for name in ("web", "api"):
        route = config.services[name].route
        assert route is not None
        template = default_env.template(default_env.environment.services[name])
        template.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::ListenerRule",
            {
                "Priority": derived.listener_priority(route),
                "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": [route.path]}}],
            },
        )
    api_route, web_route = config.services["api"].route, config.services["web"].route
    assert api_route is not None and web_route is not None
    assert derived.listener_priority(api_route) < derived.listener_priority(web_route)


def test_every_service_has_the_circuit_breaker_with_rollback_and_log_retention() -> None:
    checked = 0
    for manifest in MANIFESTS:
        synthesized = synthesize(manifest)
        for name, stack in synthesized.environment.services.items():
            if synthesized.environment.config.services[name].kind == "job":
                continue
            template = synthesized.template(stack)
            template.has_resource_properties(
                "AWS::ECS::Service",
                {"DeploymentConfiguration": Match.object_like({"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}})},
            )
            template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": Match.any_value()})
            checked += 1
    assert checked >= 9


def test_backend_is_discoverable_by_name_with_a_records_in_awsvpc(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["orders"])
    template.has_resource_properties(
        "AWS::ServiceDiscovery::Service",
        {"Name": "orders", "DnsConfig": Match.object_like({"DnsRecords": [{"Type": "A", "TTL": 10}]})},
    )


def test_worker_has_no_load_balancer_and_no_ingress(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["queue"])
    template.resource_count_is("AWS::ElasticLoadBalancingV2::TargetGroup", 0)
    template.has_resource_properties("AWS::EC2::SecurityGroup", {"SecurityGroupIngress": Match.absent()})
    # The one rule in the worker's stack is its own call to orders (on orders' group), not an opening of the worker.
    ingress = template.find_resources("AWS::EC2::SecurityGroupIngress")
    assert [rule["Properties"]["Description"] for rule in ingress.values()] == ["queue calls orders"]
    assert all("Fn::ImportValue" in rule["Properties"]["GroupId"] for rule in ingress.values())


def test_nlb_service_opens_the_pinned_range_on_its_group_only_from_the_nlb(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["mqtt"])
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::LoadBalancer", {"Type": "network", "Scheme": "internal"})
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {"Port": 1883, "Protocol": "TCP"})
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"TargetType": "instance", "Protocol": "TCP", "HealthCheckPort": "traffic-port"},
    )
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "FromPort": 61000,
            "ToPort": 61999,
            "GroupId": {"Fn::ImportValue": Match.string_like_regexp("Ec2Groupondemand")},
            "SourceSecurityGroupId": {"Fn::GetAtt": [Match.string_like_regexp("NlbSecurityGroup"), "GroupId"]},
        },
    )


def test_https_listener_with_tls12_policy_and_http_redirect_when_a_certificate_is_given(shop: Synthesized) -> None:
    template = shop.template(shop.environment.platform)
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {"Port": 443, "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "DefaultActions": [
                Match.object_like({"Type": "redirect", "RedirectConfig": Match.object_like({"Port": "443", "Protocol": "HTTPS"})})
            ],
        },
    )


def test_secrets_are_arns_and_the_execution_role_reads_exactly_those(shop: Synthesized) -> None:
    template = shop.template(shop.environment.services["storefront"]).to_json()
    task = next(r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition")
    secrets = {s["Name"]: json.dumps(s["ValueFrom"]) for s in task["Properties"]["ContainerDefinitions"][0]["Secrets"]}
    assert set(secrets) == {"SESSION_KEY", "DB_URL"}
    assert ":secretsmanager:" in secrets["SESSION_KEY"] and "secret:shop/session" in secrets["SESSION_KEY"]
    assert secrets["SESSION_KEY"].endswith(':key::"')
    assert ":ssm:" in secrets["DB_URL"] and "parameter/shop/db-url" in secrets["DB_URL"]
    policies = [r for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Policy" and "ExecutionRole" in k]
    statements = [s for policy in policies for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    secret_reads = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    ssm_reads = [s for s in statements if "ssm:GetParameters" in s["Action"]]
    assert len(secret_reads) == 1 and "secret:shop/session-??????" in json.dumps(secret_reads[0]["Resource"])
    assert len(ssm_reads) == 1 and "parameter/shop/db-url" in json.dumps(ssm_reads[0]["Resource"])
    assert all(s["Resource"] != "*" for s in secret_reads + ssm_reads)


def test_ecr_images_are_pulled_with_permission_on_their_repository_only(shop: Synthesized) -> None:
    template = shop.template(shop.environment.services["checkout"]).to_json()
    statements = [
        s
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and "ExecutionRole" in k
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    pulls = [s for s in statements if "ecr:BatchGetImage" in s["Action"]]
    assert len(pulls) == 1
    assert "repository/checkout" in json.dumps(pulls[0]["Resource"])


def test_forty_services_synthesize_with_every_stack_under_200_resources() -> None:
    base = load_manifest(ROOT / "config" / "default.yaml")
    template_service = base.services["api"]
    services = {
        f"svc{index:02d}": template_service.model_copy(
            update={"route": template_service.route.model_copy(update={"path": f"/svc{index:02d}/*"})}
        )  # type: ignore[union-attr]
        for index in range(40)
    }
    config = base.model_copy(update={"services": services})
    synthesized = synthesize_config(config)
    assert len(synthesized.environment.services) == 40
    for stack in synthesized.environment.stacks:
        resources = synthesized.assembly.get_stack_by_name(stack.stack_name).template["Resources"]
        assert len(resources) < 200, f"{stack.stack_name}: {len(resources)} resources"


# --- container settings (main container and sidecars) -------------------------------------


@pytest.fixture(scope="module")
def batch() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "ec2-only.yaml")


def _containers(synthesized: Synthesized, service: str) -> dict[str, dict[str, object]]:
    template = synthesized.template_json(f"{synthesized.environment.config.name}-{service}")
    (definition,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"]  # type: ignore[attr-defined]
    return {c["Name"]: c for c in definition["Properties"]["ContainerDefinitions"]}


def test_ec2_container_gets_linux_parameters_ulimits_dns_hosts_and_a_restart_policy(batch: Synthesized) -> None:
    containers = _containers(batch, "renderer")
    renderer, fonts = containers["renderer"], containers["fonts"]

    assert renderer["LinuxParameters"] == {
        "Capabilities": {"Drop": ["NET_RAW"]},
        "InitProcessEnabled": True,
        "SharedMemorySize": 64,
        "Tmpfs": [{"ContainerPath": "/scratch", "Size": 64, "MountOptions": ["noexec", "nosuid", "nodev"]}],
    }
    assert renderer["Ulimits"] == [{"Name": "nofile", "SoftLimit": 65536, "HardLimit": 65536}]
    assert renderer["DnsServers"] == ["10.20.0.2"]
    assert renderer["ExtraHosts"] == [{"Hostname": "assets.batch.internal", "IpAddress": "10.20.1.10"}]
    assert renderer["RestartPolicy"] == {"Enabled": True, "IgnoredExitCodes": [0], "RestartAttemptPeriod": 120}
    assert renderer["WorkingDirectory"] == "/usr/local/apache2"
    assert renderer["DependsOn"] == [{"ContainerName": "fonts", "Condition": "SUCCESS"}]
    # The main container keeps what the sidecar leaves: 1024 - 32 MiB hard, 512 soft; 512 - 0 cpu.
    assert (renderer["Memory"], renderer["MemoryReservation"], renderer["Cpu"]) == (992, 512, 512)
    assert (fonts["Essential"], fonts["Memory"]) == (False, 32)
    assert "LinuxParameters" not in fonts and "RestartPolicy" not in fonts


def test_fargate_sidecar_gets_a_soft_limit_a_health_check_and_the_main_container_waits_for_it(shop: Synthesized) -> None:
    containers = _containers(shop, "storefront")
    storefront, metrics = containers["storefront"], containers["metrics"]

    assert storefront["DependsOn"] == [{"ContainerName": "metrics", "Condition": "HEALTHY"}]
    assert storefront["LinuxParameters"] == {"Capabilities": {}, "InitProcessEnabled": True}  # CDK writes the empty set
    assert storefront["Memory"] == 1024 - 128
    assert metrics["MemoryReservation"] == 64
    assert metrics["RestartPolicy"] == {"Enabled": True, "RestartAttemptPeriod": 300}
    assert metrics["HealthCheck"]["Command"] == ["CMD", "/healthcheck"]  # type: ignore[index]
    assert "DnsServers" not in storefront and "ExtraHosts" not in storefront
    assert _containers(shop, "checkout")["checkout"]["LinuxParameters"] == {"Capabilities": {"Drop": ["ALL"]}}


def test_custom_statements_get_their_own_policy_on_each_role_and_managed_policies_the_task_role(shop: Synthesized) -> None:
    template = shop.template(shop.environment.services["checkout"])
    policies = template.find_resources("AWS::IAM::Policy")
    custom = {logical_id: p for logical_id, p in policies.items() if "RolePolicy" in logical_id}

    statements = {
        logical_id.split("RolePolicy")[0].removeprefix("Service"): p["Properties"]["PolicyDocument"]["Statement"]
        for logical_id, p in custom.items()
    }
    assert statements == {
        "Task": [
            {
                "Action": "cloudwatch:PutMetricData",
                "Condition": {"StringEquals": {"cloudwatch:namespace": "shop/checkout"}},
                "Effect": "Allow",
                "Resource": "*",
            }
        ],
        "Execution": [
            {
                "Action": "ssm:GetParameters",
                "Effect": "Allow",
                "Resource": "arn:aws:ssm:eu-west-1:111122223333:parameter/shop/checkout/*",
            }
        ],
    }
    template.has_resource_properties("AWS::IAM::Role", {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]})


def test_task_volumes_mount_into_containers_and_the_ebs_volume_is_attached_by_the_service(batch: Synthesized) -> None:
    template = batch.template_json("batch-renderer")
    resources = template["Resources"].values()  # type: ignore[attr-defined]
    (definition,) = [r["Properties"] for r in resources if r["Type"] == "AWS::ECS::TaskDefinition"]
    (service,) = [r for r in resources if r["Type"] == "AWS::ECS::Service"]
    containers = {c["Name"]: c for c in definition["ContainerDefinitions"]}

    task_volumes = [v for v in definition["Volumes"] if "EFSVolumeConfiguration" not in v]  # media is the existing EFS
    assert sorted(task_volumes, key=lambda v: v["Name"]) == [
        {"ConfiguredAtLaunch": True, "Name": "cache"},
        {"Host": {}, "Name": "fonts"},
        {"Host": {"SourcePath": "/usr/share/fonts"}, "Name": "system-fonts"},
    ]
    assert sorted(containers["renderer"]["MountPoints"], key=lambda m: m["SourceVolume"]) == [
        {"ContainerPath": "/usr/local/apache2/cache", "ReadOnly": False, "SourceVolume": "cache"},
        {"ContainerPath": "/usr/local/apache2/htdocs/media", "ReadOnly": True, "SourceVolume": "media"},
        {"ContainerPath": "/usr/share/fonts", "ReadOnly": True, "SourceVolume": "system-fonts"},
    ]
    assert containers["renderer"]["VolumesFrom"] == [{"ReadOnly": True, "SourceContainer": "fonts"}]
    assert containers["fonts"]["MountPoints"] == [{"ContainerPath": "/fonts", "ReadOnly": False, "SourceVolume": "fonts"}]
    (volume,) = service["Properties"]["VolumeConfigurations"]
    ebs = volume["ManagedEBSVolume"]
    assert volume["Name"] == "cache"
    assert {k: ebs[k] for k in ("SizeInGiB", "VolumeType", "Iops", "Throughput", "Encrypted", "FilesystemType")} == {
        "SizeInGiB": 20,
        "VolumeType": "gp3",
        "Iops": 3000,
        "Throughput": 250,
        "Encrypted": True,
        "FilesystemType": "xfs",
    }
    role_id = ebs["RoleArn"]["Fn::GetAtt"][0]
    role = template["Resources"][role_id]["Properties"]  # type: ignore[index]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs.amazonaws.com"}
    assert "AmazonECSInfrastructureRolePolicyForVolumes" in json.dumps(role["ManagedPolicyArns"])


def test_tcp_udp_bridge_service_reaches_its_container_over_both_transports_and_passes_tcp_health_checks(
    batch: Synthesized,
) -> None:
    """config/examples/ec2-only.yaml's resolver: DNS over UDP and TCP through one NLB port on bridge-mode EC2."""
    template = batch.template(batch.environment.services["resolver"])
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {"Port": 53, "Protocol": "TCP_UDP"})
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Protocol": "TCP_UDP",
            "Port": 1053,
            "TargetType": "instance",
            "HealthCheckProtocol": "TCP",
            "HealthCheckPort": "traffic-port",
        },
    )
    task = template.find_resources("AWS::ECS::TaskDefinition")
    (definition,) = task.values()
    mappings = definition["Properties"]["ContainerDefinitions"][0]["PortMappings"]
    assert {(m["Protocol"], m["ContainerPort"], m["HostPort"]) for m in mappings} == {("tcp", 1053, 1053), ("udp", 1053, 1053)}
    assert len({m["Name"] for m in mappings}) == 2
    admitted = {
        (r["Properties"]["IpProtocol"], r["Properties"]["FromPort"], r["Properties"]["ToPort"])
        for r in template.find_resources(
            "AWS::EC2::SecurityGroupIngress",
            {"Properties": {"GroupId": {"Fn::ImportValue": Match.string_like_regexp("Ec2Groupgeneral")}}},
        ).values()
    }
    assert admitted == {("tcp", 1053, 1053), ("udp", 1053, 1053)}


@pytest.fixture(scope="module")
def sandbox() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "minimal.yaml")


def test_a_slash_route_sends_the_whole_site_to_the_service_with_its_stable_priority(sandbox: Synthesized) -> None:
    """config/examples/minimal.yaml routes `path: "/"`: an ALB pattern "/" would match the root alone."""
    template = sandbox.template(sandbox.environment.services["hello"])
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {"Priority": 48852, "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}]},
    )


def test_a_gpu_group_boots_the_gpu_ami_and_a_gpu_task_reserves_its_gpu(batch: Synthesized) -> None:
    platform = batch.template_json("batch-platform")
    parameters = platform["Parameters"]  # type: ignore[index]
    amis = {key: p["Default"] for key, p in parameters.items() if "optimized-ami" in str(p.get("Default"))}
    templates = {
        logical_id: resource["Properties"]["LaunchTemplateData"]
        for logical_id, resource in platform["Resources"].items()  # type: ignore[attr-defined]
        if resource["Type"] == "AWS::EC2::LaunchTemplate"
    }
    gpu = next(data for logical_id, data in templates.items() if logical_id.startswith("Ec2Groupgpu"))
    general = next(data for logical_id, data in templates.items() if logical_id.startswith("Ec2Groupgeneral"))

    assert amis[gpu["ImageId"]["Ref"]] == "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
    assert amis[general["ImageId"]["Ref"]] == "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
    user_data = json.dumps(gpu["UserData"])
    assert "ECS_ENABLE_GPU_SUPPORT=true" in user_data
    assert user_data.index("ECS_DYNAMIC_HOST_PORT_RANGE") < user_data.index("ECS_IMAGE_PULL_BEHAVIOR=prefer-cached")
    assert "ECS_ENABLE_GPU_SUPPORT" not in json.dumps(general["UserData"])
    roles = [
        r["Properties"]
        for logical_id, r in platform["Resources"].items()  # type: ignore[attr-defined]
        if r["Type"] == "AWS::IAM::Role" and logical_id.startswith("Ec2Groupgpu")
    ]
    assert [r.get("ManagedPolicyArns") for r in roles] == [["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]]
    (inference,) = _containers(batch, "inference").values()
    assert inference["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]
