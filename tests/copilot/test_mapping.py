"""Each Copilot field's mapping, tested on the dict the importer emits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.copilot.conftest import MakeWorkspace, messages, run_import

WEB = """
name: web
type: Load Balanced Web Service
image:
  location: public.ecr.aws/nginx/nginx:1.27
  port: 80
http:
  path: '/'
"""


def service(make_workspace: MakeWorkspace, manifest: str, name: str = "web", **kwargs: Any) -> dict[str, Any]:
    imported = run_import(make_workspace({name: manifest}, **kwargs))
    result: dict[str, Any] = imported.manifest["services"][name]
    return result


def report(make_workspace: MakeWorkspace, manifest: str, name: str = "web") -> list[str]:
    return messages(run_import(make_workspace({name: manifest})))


@pytest.mark.parametrize(
    ("copilot_type", "kind"),
    [
        ("Load Balanced Web Service", "web"),
        ("Backend Service", "backend"),
        ("Worker Service", "worker"),
        ("Scheduled Job", "job"),
    ],
)
def test_each_supported_type_becomes_its_kind(make_workspace: MakeWorkspace, copilot_type: str, kind: str) -> None:
    port = "" if kind in ("worker", "job") else "\n  port: 8080"
    manifest = f"name: svc\ntype: {copilot_type}\nimage:\n  location: example/svc:1{port}\n"
    result = service(make_workspace, manifest, name="svc")
    assert result["kind"] == kind
    assert result["cpu"] == 256 and result["memory_mib"] == 512  # Copilot's defaults, written out


def test_backend_without_port_becomes_a_worker(make_workspace: MakeWorkspace) -> None:
    manifest = "name: svc\ntype: Backend Service\nimage:\n  location: example/svc:1\n"
    imported = run_import(make_workspace({"svc": manifest}))
    assert imported.manifest["services"]["svc"]["kind"] == "worker"
    assert any("without image.port takes no traffic: kind worker" in m for m in messages(imported))


def test_count_number_and_spot(make_workspace: MakeWorkspace) -> None:
    assert service(make_workspace, WEB + "count: 3\n")["count"] == 3
    spot = service(make_workspace, WEB + "count:\n  spot: 2\n")
    assert spot["count"] == 2
    assert spot["capacity"] == [{"provider": "FARGATE_SPOT"}]


def test_count_range_string_and_metrics(make_workspace: MakeWorkspace) -> None:
    result = service(
        make_workspace,
        WEB + "count:\n  range: 2-8\n  cpu_percentage: 60\n  memory_percentage: 75\n  requests: 500\n"
        "  cooldown:\n    in: 2m\n    out: 45s\n",
    )
    assert "count" not in result
    assert result["scaling"] == {
        "min": 2,
        "max": 8,
        "cpu_percent": 60,
        "memory_percent": 75,
        "requests_per_target": 500,
        "scale_in_cooldown_seconds": 120,
        "scale_out_cooldown_seconds": 45,
    }


def test_count_spot_from_puts_the_first_tasks_on_fargate(make_workspace: MakeWorkspace) -> None:
    result = service(make_workspace, WEB + "count:\n  range:\n    min: 1\n    max: 10\n    spot_from: 3\n  cpu_percentage: 70\n")
    assert result["scaling"]["min"] == 1 and result["scaling"]["max"] == 10
    assert result["capacity"] == [
        {"provider": "FARGATE", "base": 2, "weight": 0},
        {"provider": "FARGATE_SPOT", "weight": 1},
    ]
    from_first = service(
        make_workspace, WEB + "count:\n  range:\n    min: 1\n    max: 4\n    spot_from: 1\n  cpu_percentage: 70\n"
    )
    assert from_first["capacity"] == [{"provider": "FARGATE_SPOT"}]


def test_count_response_time_is_reported(make_workspace: MakeWorkspace) -> None:
    lines = report(make_workspace, WEB + "count:\n  range: 1-4\n  response_time: 2s\n")
    assert any(line.startswith("11: count.response_time: not carried over: the toolkit scales on") for line in lines)


def test_worker_queue_delay_becomes_backlog_per_task(make_workspace: MakeWorkspace) -> None:
    manifest = """
    name: w
    type: Worker Service
    image:
      location: example/w:1
    count:
      range: 1-5
      queue_delay:
        acceptable_latency: 5m
        msg_processing_time: 20s
    subscribe:
      queue:
        timeout: 90s
        dead_letter:
          tries: 7
    """
    result = service(make_workspace, manifest, name="w")
    assert result["scaling"] == {
        "min": 1,
        "max": 5,
        "queue": {"backlog_per_task": 15, "visibility_timeout_seconds": 90, "max_receive_count": 7},
    }


def test_queue_settings_without_queue_scaling_are_reported(make_workspace: MakeWorkspace) -> None:
    manifest = "name: w\ntype: Worker Service\nimage:\n  location: example/w:1\nsubscribe:\n  queue:\n    timeout: 90s\n"
    lines = report(make_workspace, manifest, name="w")
    assert any(
        "subscribe.queue.timeout: not carried over: the worker's queue takes its settings from scaling.queue" in line
        for line in lines
    )


def test_http_fields(make_workspace: MakeWorkspace) -> None:
    manifest = """
    name: web
    type: Load Balanced Web Service
    image:
      location: example/web:1
      port: 8080
    http:
      path: api
      alias: [a.example.com, b.example.com]
      healthcheck:
        path: /health
        port: 8081
        success_codes: '200-299'
        healthy_threshold: 3
        unhealthy_threshold: 4
        interval: 20s
        timeout: 7s
        grace_period: 2m
      deregistration_delay: 45s
      target_container: envoy
      stickiness: true
      additional_rules:
        - path: /
          alias: admin.example.com
          target_port: 9000
    sidecars:
      envoy:
        image: example/envoy:1
        port: 9901/tcp
    """
    result = service(make_workspace, manifest)
    assert result["route"] == {"path": ["/api", "/api/*"], "host": ["a.example.com", "b.example.com"]}
    assert result["health_check"] == {
        "path": "/health",
        "success_codes": "200-299",
        "port": 8081,
        "healthy_threshold": 3,
        "unhealthy_threshold": 4,
        "interval_seconds": 20,
        "timeout_seconds": 7,
    }
    assert result["deployment"] == {"grace_period_seconds": 120, "deregistration_delay_seconds": 45}
    assert result["target"] == {"container": "envoy", "port": 9901, "stickiness_seconds": 86400}
    assert result["additional_routes"] == [{"path": "/", "host": "admin.example.com", "port": 9000}]
    assert result["sidecars"] == [{"name": "envoy", "image": "example/envoy:1", "port": 9901}]


def test_http_healthcheck_string_and_root_path(make_workspace: MakeWorkspace) -> None:
    result = service(make_workspace, WEB + "  healthcheck: /ping\n")
    assert result["route"] == {"path": "/"}
    assert result["health_check"] == {"path": "/ping"}


def test_nlb(make_workspace: MakeWorkspace) -> None:
    manifest = """
    name: dns
    type: Load Balanced Web Service
    image:
      location: example/dns:1
      port: 53
    http: false
    nlb:
      port: 53/udp
      healthcheck:
        port: 8080
    """
    result = service(make_workspace, manifest, name="dns")
    assert "route" not in result
    assert result["nlb"] == {"port": 53, "protocol": "udp", "health_check_port": 8080}


def test_network_fields(make_workspace: MakeWorkspace) -> None:
    manifest = WEB + (
        "network:\n  connect:\n    alias: shop-api\n  vpc:\n    placement: private\n    security_groups: [sg-0123456789abcdef0]\n"
    )
    imported = run_import(make_workspace({"web": manifest}))
    result = imported.manifest["services"]["web"]
    assert result["discovery"] == {"service_connect": True, "name": "shop-api"}
    assert result["security_groups"] == ["sg-0123456789abcdef0"]
    assert not any("placement" in m for m in messages(imported))


def test_public_placement_is_reported(make_workspace: MakeWorkspace) -> None:
    lines = report(make_workspace, WEB + "network:\n  vpc:\n    placement: public\n")
    assert "11: network.vpc.placement: not carried over: placement public: tasks always run in the private subnets" in "\n".join(
        lines
    )


def test_variables_secrets_and_env_file(make_workspace: MakeWorkspace) -> None:
    manifest = WEB + (
        "variables:\n  A: one\n  B: 2\n  C:\n    from_cfn: stack-Export\n"
        "secrets:\n  S1: GH_TOKEN\n  S2: /copilot/${COPILOT_APPLICATION_NAME}/${COPILOT_ENVIRONMENT_NAME}/key\n"
        "  S3: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf\n"
        "  S4:\n    secretsmanager: 'db/creds:password::'\n  S5:\n    from_cfn: stack-SecretArn\n"
        "env_file: config/web.env\n"
    )
    result = service(make_workspace, manifest, files={"config/web.env": "A=1\n"})
    assert result["environment"] == {"A": "one", "B": "2", "C": {"from_cfn": "stack-Export"}}
    assert result["secrets"] == {
        "S1": "ssm:GH_TOKEN",
        "S2": "ssm:/copilot/shop/${environment}/key",
        "S3": "secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        "S4": "secretsmanager:db/creds:password",
        "S5": {"from_cfn": "stack-SecretArn"},
    }
    # Copilot's paths are relative to the workspace root; the toolkit's to the written manifest (deploy/test.yaml).
    assert result["env_files"] == ["../app/config/web.env"]


def test_service_name_variable_becomes_the_service_builtin(make_workspace: MakeWorkspace) -> None:
    result = service(make_workspace, WEB + "variables:\n  WHO: ${COPILOT_SERVICE_NAME}-${COPILOT_APPLICATION_NAME}\n")
    assert result["environment"] == {"WHO": "${service}-shop"}


def test_other_copilot_variables_are_reported(make_workspace: MakeWorkspace) -> None:
    lines = report(make_workspace, WEB + "variables:\n  LB: ${COPILOT_LB_DNS}\n")
    assert any("${COPILOT_LB_DNS} is a Copilot deploy-time variable the toolkit does not set" in line for line in lines)


def test_image_build_forms(make_workspace: MakeWorkspace) -> None:
    short = WEB.replace("  location: public.ecr.aws/nginx/nginx:1.27\n", "  build: web/Dockerfile\n")
    assert service(make_workspace, short)["image"] == {"build": {"context": "../app/web"}}
    other = WEB.replace("  location: public.ecr.aws/nginx/nginx:1.27\n", "  build: web/Dockerfile.prod\n")
    assert service(make_workspace, other)["image"] == {"build": {"context": "../app/web", "dockerfile": "Dockerfile.prod"}}
    full = WEB.replace(
        "  location: public.ecr.aws/nginx/nginx:1.27\n",
        "  build:\n    context: .\n    dockerfile: docker/web.Dockerfile\n    args:\n      VERSION: '1.2'\n    target: runtime\n",
    )
    assert service(make_workspace, full + "platform: linux/arm64\n")["image"] == {
        "build": {
            "context": "../app",
            "dockerfile": "docker/web.Dockerfile",
            "args": {"VERSION": "1.2"},
            "target": "runtime",
            "platform": "linux/arm64",
        }
    }


def test_platform_arm64_sets_the_architecture(make_workspace: MakeWorkspace) -> None:
    assert service(make_workspace, WEB + "platform: linux/arm64\n")["architecture"] == "arm64"
    assert "architecture" not in service(make_workspace, WEB + "platform: linux/x86_64\n")


def test_windows_platform_is_reported(make_workspace: MakeWorkspace) -> None:
    lines = report(make_workspace, WEB + "platform: windows/x86_64\n")
    assert any("platform: not carried over: windows/x86_64 is not Linux" in line for line in lines)


def test_container_fields(make_workspace: MakeWorkspace) -> None:
    manifest = WEB.replace("  port: 80\n", "  port: 80\n  depends_on:\n    init: success\n") + (
        "entrypoint: /bin/sh -c\ncommand: ['echo', 'hi there']\nexec: true\n"
        "sidecars:\n  init:\n    image: example/init:1\n    essential: false\n"
    )
    result = service(make_workspace, manifest)
    assert result["entry_point"] == ["/bin/sh", "-c"]
    assert result["command"] == ["echo", "hi there"]
    assert result["exec"] is True
    assert result["depends_on"] == {"init": "success"}
    assert result["sidecars"] == [{"name": "init", "image": "example/init:1", "essential": False}]


def test_storage(make_workspace: MakeWorkspace) -> None:
    manifest = WEB + (
        "storage:\n  ephemeral: 60\n  readonly_fs: true\n  volumes:\n"
        "    scratch:\n      path: /tmp/scratch\n      read_only: false\n"
        "    data:\n      path: /data\n      efs:\n        id: fs-0123456789abcdef0\n        root_dir: /web\n"
        "    own:\n      path: /own\n      read_only: false\n      efs: true\n"
    )
    imported = run_import(make_workspace({"web": manifest}))
    result = imported.manifest["services"]["web"]
    assert result["ephemeral_storage_gib"] == 60
    assert result["read_only_root_filesystem"] is True
    assert result["task_volumes"] == {"scratch": {}}
    assert result["mounts"] == {"scratch": "/tmp/scratch"}
    assert result["volumes"] == {
        "data": {"path": "/data", "read_only": True, "sub_path": "/web"},
        "own": {"path": "/own", "read_only": False},
    }
    assert imported.manifest["file_systems"] == {"data": {"existing": {"id": "fs-0123456789abcdef0"}}, "own": {}}


def test_writable_root_file_system_is_kept_and_said(make_workspace: MakeWorkspace) -> None:
    imported = run_import(make_workspace({"web": WEB}))
    assert imported.manifest["services"]["web"]["read_only_root_filesystem"] is False
    assert any("Copilot's root file system is writable" in m for m in messages(imported))


def test_logging(make_workspace: MakeWorkspace) -> None:
    manifest = WEB + (
        "logging:\n  retention: 7\n  destination:\n    Name: cloudwatch\n    region: us-east-1\n"
        "  enableMetadata: false\n  configFilePath: /extra.conf\n"
    )
    result = service(make_workspace, manifest)
    assert result["log_retention_days"] == 7
    assert result["logging"] == {
        "destination": {"Name": "cloudwatch", "region": "us-east-1"},
        "enable_metadata": False,
        "config_file": "/extra.conf",
    }


TLS_NLB = """
name: tcp
type: Load Balanced Web Service
image:
  location: example/tcp:1
  port: 8443
http: false
nlb:
  port: 443/tls
"""
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123"


def test_nlb_tls_takes_the_environments_public_certificate(make_workspace: MakeWorkspace) -> None:
    environment = f"""
    name: test
    type: Environment
    http:
      public:
        certificates: [{CERTIFICATE}, arn:aws:acm:eu-west-1:123456789012:certificate/def-456]
    """
    imported = run_import(make_workspace({"tcp": TLS_NLB}, environment=environment))
    assert imported.manifest["services"]["tcp"]["nlb"] == {"port": 443, "protocol": "tls", "certificate_arn": CERTIFICATE}
    said = "9: nlb.port: converted: the TLS listener uses the environment's certificate"
    assert any(m.startswith(said) for m in messages(imported))


def test_nlb_tls_without_a_certificate_becomes_tcp_and_says_so(make_workspace: MakeWorkspace) -> None:
    imported = run_import(make_workspace({"tcp": TLS_NLB}))
    assert imported.manifest["services"]["tcp"]["nlb"] == {"port": 443}
    line = next(m for m in messages(imported) if m.startswith("9: nlb.port:"))
    assert "443/tls became 443/tcp: the environment imports no certificate" in line
    assert "set nlb.protocol: tls and nlb.certificate_arn" in line


def test_a_worker_keeps_the_topics_of_its_default_queues_kind(make_workspace: MakeWorkspace) -> None:
    """Copilot's topic-specific queues let one worker receive FIFO and standard topics; the toolkit's has one queue."""
    api = """
    name: api
    type: Backend Service
    image:
      location: example/api:1
      port: 8080
    publish:
      topics:
        - name: orders
        - name: ledger
          fifo: true
    """
    worker = """
    name: worker
    type: Worker Service
    image:
      location: example/worker:1
    subscribe:
      topics:
        - name: orders
          service: api
          queue: true
        - name: ledger
          service: api
      queue:
        fifo: true
    """
    imported = run_import(make_workspace({"api": api, "worker": worker}))
    assert imported.manifest["services"]["worker"]["subscribe"] == {"topics": [{"service": "api", "topic": "ledger"}]}
    lines = messages(imported)
    assert (
        "8: subscribe.topics.0: not carried over: api.orders is a standard topic and this worker's queue is FIFO (a "
        "worker has one queue; FIFO topics deliver to FIFO queues only): make another worker that subscribes to it"
    ) in lines
    assert any(m.startswith("14: subscribe.queue.fifo: converted: the worker's queue is FIFO") for m in lines)
    # A standard default queue keeps the standard topics.
    standard = worker.replace("      queue:\n        fifo: true\n", "")
    imported = run_import(make_workspace({"api": api, "worker": standard}))
    assert imported.manifest["services"]["worker"]["subscribe"] == {"topics": [{"service": "api", "topic": "orders"}]}
    assert any(m.startswith("11: subscribe.topics.1: not carried over: api.ledger is a FIFO topic") for m in messages(imported))


def test_publish_and_subscribe(make_workspace: MakeWorkspace) -> None:
    api = """
    name: api
    type: Backend Service
    image:
      location: example/api:1
      port: 8080
    publish:
      topics:
        - name: orders
        - name: ledger
          fifo: true
    """
    worker = """
    name: worker
    type: Worker Service
    image:
      location: example/worker:1
    subscribe:
      topics:
        - name: orders
          service: api
          filter_policy:
            store: [berlin]
    """
    imported = run_import(make_workspace({"api": api, "worker": worker}))
    services = imported.manifest["services"]
    assert services["api"]["publish"] == [{"name": "orders"}, {"name": "ledger", "fifo": True}]
    assert services["worker"]["subscribe"] == {
        "topics": [{"service": "api", "topic": "orders", "filter_policy": {"store": ["berlin"]}}]
    }


def test_job_fields(make_workspace: MakeWorkspace) -> None:
    manifest = (
        "name: j\ntype: Scheduled Job\non:\n  schedule: '@every 6h'\nimage:\n  location: example/j:1\n"
        "retries: 4\ntimeout: 2h30m\n"
    )
    result = service(make_workspace, manifest, name="j")
    assert result["schedule"] == "rate(6 hours)"
    assert result["retries"] == 4
    assert result["timeout_minutes"] == 150
    on_demand = service(make_workspace, manifest.replace("'@every 6h'", "none"), name="j")
    assert "schedule" not in on_demand


def test_unconvertible_schedule_is_reported_and_left_out(make_workspace: MakeWorkspace) -> None:
    manifest = "name: j\ntype: Scheduled Job\non:\n  schedule: '@every 10s'\nimage:\n  location: example/j:1\n"
    imported = run_import(make_workspace({"j": manifest}))
    assert "schedule" not in imported.manifest["services"]["j"]
    assert any(
        m.startswith("4: on.schedule: not carried over: @every 10s: EventBridge runs at most once a minute")
        for m in messages(imported)
    )


def test_deployment(make_workspace: MakeWorkspace) -> None:
    result = service(make_workspace, WEB + "deployment:\n  rolling: recreate\n  rollback_alarms: [HighErrors]\n")
    assert result["deployment"] == {"min_healthy_percent": 0, "max_percent": 100, "alarms": {"extra": ["HighErrors"]}}


def test_sidecar_fields(make_workspace: MakeWorkspace) -> None:
    manifest = WEB + (
        "storage:\n  volumes:\n    shared:\n      path: /shared\n"
        "sidecars:\n  logShipper:\n    image:\n      location: example/ship:1\n    port: '2020'\n"
        "    variables:\n      X: '1'\n    secrets:\n      Y: /y\n    entrypoint: ship\n    command: --fast\n"
        "    depends_on:\n      web: start\n    healthcheck:\n      command: [CMD, ok]\n      interval: 5s\n"
        "    mount_points:\n      - source_volume: shared\n        path: /shared\n"
    )
    imported = run_import(make_workspace({"web": manifest}))
    sidecar = imported.manifest["services"]["web"]["sidecars"][0]
    assert sidecar == {
        "name": "log-shipper",
        "image": "example/ship:1",
        "port": 2020,
        "entry_point": ["ship"],
        "command": ["--fast"],
        "environment": {"X": "1"},
        "secrets": {"Y": "ssm:/y"},
        "container_health_check": {"command": ["CMD", "ok"], "interval_seconds": 5},
        "depends_on": {"web": "start"},
        "mounts": {"shared": {"path": "/shared", "read_only": True}},
    }
    assert any("sidecars.logShipper: converted: the sidecar is named log-shipper" in m for m in messages(imported))


@pytest.mark.parametrize(
    ("yaml", "at", "words"),
    [
        ("observability:\n  tracing: awsxray\n", "10: observability.tracing", "no X-Ray sidecar is added"),
        ("taskdef_overrides:\n  - path: Ulimits\n    value: []\n", "9: taskdef_overrides", "no task-definition patches"),
        ("image_typo: 1\n", "9: image_typo", "not a field of Copilot's manifest that the importer knows"),
        ("http2:\n  path: x\n", "9: http2", "not a field of Copilot's manifest"),
        ("count:\n  rnage: 1-3\n", "10: count.rnage", "not a field of Copilot's manifest"),
    ],
)
def test_fields_without_an_equivalent_are_reported_at_their_line(
    make_workspace: MakeWorkspace, yaml: str, at: str, words: str
) -> None:
    lines = report(make_workspace, WEB + yaml)
    assert any(line.startswith(f"{at}: not carried over: ") and words in line for line in lines), lines
