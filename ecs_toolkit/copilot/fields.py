"""Every AWS Copilot manifest field and what the importer makes of it: the one table the importer reports from
and the migration guide's table is generated from (``python -m ecs_toolkit.copilot --write PAGE``).

Source: AWS Copilot's manifest reference (site/content/docs/manifest/*.en.md and docs/include/*.en.md of
aws/copilot-cli, v1.34, checked 2026-11-27). A pattern's ``*`` stands for one name or list position.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Outcome = Literal["carried over", "converted", "not carried over"]
Manifest = Literal["service", "environment", "workspace"]


@dataclass(frozen=True)
class FieldRule:
    manifest: Manifest
    pattern: str
    """Dotted Copilot field path; ``*`` is any one key or list position."""
    outcome: Outcome
    becomes: str
    """The toolkit field it becomes (``-`` when none)."""
    why: str
    """For the report and the guide: what happened and why, and what to do instead."""

    def matches(self, path: tuple[str, ...]) -> bool:
        parts = self.pattern.split(".")
        return len(parts) == len(path) and all(p in ("*", s) for p, s in zip(parts, path, strict=True))


def _s(pattern: str, outcome: Outcome, becomes: str, why: str = "") -> FieldRule:
    return FieldRule("service", pattern, outcome, becomes, why)


def _e(pattern: str, outcome: Outcome, becomes: str, why: str = "") -> FieldRule:
    return FieldRule("environment", pattern, outcome, becomes, why)


CARRIED: Outcome = "carried over"
CONVERTED: Outcome = "converted"
DROPPED: Outcome = "not carried over"

FIELDS: tuple[FieldRule, ...] = (
    FieldRule("workspace", "application", CONVERTED, "tags.copilot-application, cluster.namespace", "the application's name"),
    # --- every service type ---
    _s("name", CONVERTED, "services.<name>", "the service's key"),
    _s("type", CONVERTED, "kind", "web, backend, worker or job; Request-Driven Web Service and Static Site are skipped"),
    _s("environments", CONVERTED, "-", "the overrides of the imported environment are merged in, the others dropped"),
    _s("image.location", CARRIED, "image"),
    _s("image.build", CONVERTED, "image.build.context, image.build.dockerfile", "a Dockerfile path: its folder is the context"),
    _s("image.build.context", CARRIED, "image.build.context", "relative to the written manifest"),
    _s(
        "image.build.dockerfile", CONVERTED, "image.build.dockerfile", "relative to the build context (Copilot: to the workspace)"
    ),
    _s("image.build.args", CARRIED, "image.build.args"),
    _s("image.build.target", CARRIED, "image.build.target"),
    _s(
        "image.build.cache_from",
        DROPPED,
        "-",
        "the image is built by cdk deploy, which has no cache source setting here; pull the cache image before deploying",
    ),
    _s(
        "image.credentials",
        DROPPED,
        "-",
        "the toolkit has no registry credentials field; copy the image to ECR or build it from source (image.build)",
    ),
    _s("image.labels", DROPPED, "-", "the toolkit sets no Docker labels; put them in the Dockerfile (LABEL)"),
    _s("image.depends_on", CARRIED, "depends_on"),
    _s("image.port", CARRIED, "port"),
    _s("image.healthcheck.command", CARRIED, "container_health_check.command"),
    _s("image.healthcheck.interval", CONVERTED, "container_health_check.interval_seconds", "a duration in seconds"),
    _s("image.healthcheck.retries", CARRIED, "container_health_check.retries"),
    _s("image.healthcheck.timeout", CONVERTED, "container_health_check.timeout_seconds", "a duration in seconds"),
    _s("image.healthcheck.start_period", CONVERTED, "container_health_check.start_period_seconds", "a duration in seconds"),
    _s("entrypoint", CONVERTED, "entry_point", "a string is split as a shell would"),
    _s("command", CONVERTED, "command", "a string is split as a shell would"),
    _s("cpu", CARRIED, "cpu", "Copilot's default 256 is written out"),
    _s("memory", CARRIED, "memory_mib", "Copilot's default 512 is written out"),
    _s("platform", CONVERTED, "architecture", "linux/arm64 becomes arm64, linux/amd64 x86_64; Windows is not supported"),
    _s("platform.osfamily", DROPPED, "-", "Windows tasks are not supported; the task runs on Linux"),
    _s("platform.architecture", CONVERTED, "architecture"),
    _s("count", CARRIED, "count"),
    _s("count.spot", CONVERTED, "count, capacity", "every task on FARGATE_SPOT"),
    _s("count.range", CONVERTED, "scaling.min, scaling.max", "n-m"),
    _s("count.range.min", CARRIED, "scaling.min"),
    _s("count.range.max", CARRIED, "scaling.max"),
    _s(
        "count.range.spot_from",
        CONVERTED,
        "capacity",
        "FARGATE with base spot_from - 1 and weight 0, then FARGATE_SPOT: tasks from number spot_from on run on Spot",
    ),
    _s("count.cpu_percentage", CARRIED, "scaling.cpu_percent"),
    _s("count.cpu_percentage.value", CARRIED, "scaling.cpu_percent"),
    _s("count.memory_percentage", CARRIED, "scaling.memory_percent"),
    _s("count.memory_percentage.value", CARRIED, "scaling.memory_percent"),
    _s("count.requests", CARRIED, "scaling.requests_per_target"),
    _s("count.requests.value", CARRIED, "scaling.requests_per_target"),
    _s(
        "count.response_time",
        DROPPED,
        "-",
        "the toolkit scales on requests per target, CPU, memory or a custom metric, not on response time; "
        "use scaling.requests_per_target or scaling.custom_metric on the target group's TargetResponseTime",
    ),
    _s("count.*.cooldown.in", CONVERTED, "scaling.scale_in_cooldown_seconds", "the toolkit has one cooldown for all metrics"),
    _s("count.*.cooldown.out", CONVERTED, "scaling.scale_out_cooldown_seconds", "the toolkit has one cooldown for all metrics"),
    _s("count.cooldown.in", CONVERTED, "scaling.scale_in_cooldown_seconds", "a duration in seconds"),
    _s("count.cooldown.out", CONVERTED, "scaling.scale_out_cooldown_seconds", "a duration in seconds"),
    _s(
        "count.queue_delay.acceptable_latency",
        CONVERTED,
        "scaling.queue.backlog_per_task",
        "acceptable_latency / msg_processing_time messages per task",
    ),
    _s(
        "count.queue_delay.msg_processing_time",
        CONVERTED,
        "scaling.queue.backlog_per_task",
        "acceptable_latency / msg_processing_time messages per task",
    ),
    _s("exec", CARRIED, "exec"),
    _s("network.connect", CONVERTED, "discovery.service_connect"),
    _s("network.connect.alias", CARRIED, "discovery.name"),
    _s(
        "network.vpc.placement",
        CONVERTED,
        "-",
        "tasks always run in the private subnets (outbound through NAT); public placement is not carried over",
    ),
    _s("network.vpc.security_groups", CARRIED, "security_groups"),
    _s("network.vpc.security_groups.groups", CARRIED, "security_groups"),
    _s(
        "network.vpc.security_groups.deny_default",
        DROPPED,
        "-",
        "each service always has its own security group, which admits only its declared callers (connects_to)",
    ),
    _s("variables.*", CARRIED, "environment.*"),
    _s("variables.*.from_cfn", CARRIED, "environment.*.from_cfn"),
    _s(
        "secrets.*",
        CONVERTED,
        "secrets.*",
        "an SSM parameter name or ARN becomes ssm:..., a Secrets Manager ARN secretsmanager:...",
    ),
    _s("secrets.*.secretsmanager", CONVERTED, "secrets.*", "secretsmanager:<name>"),
    _s("secrets.*.from_cfn", CARRIED, "secrets.*.from_cfn"),
    _s("env_file", CARRIED, "env_files", "relative to the written manifest"),
    _s("storage.ephemeral", CARRIED, "ephemeral_storage_gib"),
    _s("storage.readonly_fs", CARRIED, "read_only_root_filesystem"),
    _s("storage.volumes.*.path", CARRIED, "volumes.*.path, or mounts.* for a volume without efs"),
    _s("storage.volumes.*.read_only", CARRIED, "volumes.*.read_only", "Copilot's default true is written out"),
    _s("storage.volumes.*.efs", CONVERTED, "file_systems.*", "efs: true makes a file system of the environment"),
    _s("storage.volumes.*.efs.id", CARRIED, "file_systems.*.existing.id"),
    _s("storage.volumes.*.efs.root_dir", CARRIED, "volumes.*.sub_path"),
    _s("storage.volumes.*.efs.uid", CARRIED, "volumes.*.uid"),
    _s("storage.volumes.*.efs.gid", CARRIED, "volumes.*.gid"),
    _s("storage.volumes.*.efs.auth.iam", CONVERTED, "-", "IAM authorization is always on; the task role gets the mount grants"),
    _s(
        "storage.volumes.*.efs.auth.access_point_id",
        DROPPED,
        "-",
        "the toolkit creates an access point per mount; give uid and gid instead",
    ),
    _s("logging.retention", CARRIED, "log_retention_days"),
    _s("logging.image", CARRIED, "logging.image"),
    _s("logging.destination", CARRIED, "logging.destination"),
    _s("logging.enableMetadata", CARRIED, "logging.enable_metadata"),
    _s("logging.secretOptions", CARRIED, "logging.secret_options"),
    _s("logging.configFilePath", CARRIED, "logging.config_file"),
    _s(
        "logging.variables",
        DROPPED,
        "-",
        "the log router takes its settings from logging.destination or its config file, not from variables",
    ),
    _s(
        "logging.secrets",
        DROPPED,
        "-",
        "the log router takes secrets through logging.secret_options",
    ),
    _s("logging.env_file", DROPPED, "-", "the log router takes its settings from logging.destination or its config file"),
    _s("publish.topics.*.name", CARRIED, "publish.*.name"),
    _s("publish.topics.*.fifo", CARRIED, "publish.*.fifo"),
    _s(
        "publish.topics.*.fifo.content_based_deduplication",
        DROPPED,
        "-",
        "FIFO topics are created without content-based deduplication; send a deduplication id",
    ),
    _s("subscribe.topics.*.name", CARRIED, "subscribe.topics.*.topic"),
    _s("subscribe.topics.*.service", CARRIED, "subscribe.topics.*.service"),
    _s("subscribe.topics.*.filter_policy", CARRIED, "subscribe.topics.*.filter_policy"),
    _s(
        "subscribe.topics.*.queue",
        DROPPED,
        "-",
        "a worker has one queue for all its topics; give the topic its own worker to keep a separate queue",
    ),
    _s(
        "subscribe.queue.timeout",
        CONVERTED,
        "scaling.queue.visibility_timeout_seconds",
        "only with queue scaling (count.queue_delay); otherwise not carried over",
    ),
    _s(
        "subscribe.queue.dead_letter.tries",
        CONVERTED,
        "scaling.queue.max_receive_count",
        "only with queue scaling (count.queue_delay); otherwise not carried over",
    ),
    _s("subscribe.queue.retention", DROPPED, "-", "the queue keeps messages for SQS's default of 4 days"),
    _s("subscribe.queue.delay", DROPPED, "-", "the queue delivers without delay; delay in the sender instead"),
    _s(
        "subscribe.queue.fifo",
        CONVERTED,
        "-",
        "the worker's queue is FIFO when its topics are FIFO; a worker whose Copilot queues mix FIFO and standard "
        "topics keeps the topics of its default queue's kind, the others are reported",
    ),
    _s(
        "http",
        CONVERTED,
        "-",
        "a web service with http: false has no load balancer route (it needs an nlb); http on a Backend Service (an "
        "internal load balancer) is not carried over: backends are reached through Cloud Map or Service Connect "
        "(connects_to)",
    ),
    _s("http.path", CONVERTED, "route.path", "'/' stays '/', 'api' becomes ['/api', '/api/*'] as Copilot's rule matches"),
    _s("http.alias", CARRIED, "route.host"),
    _s("http.alias.*.name", CARRIED, "route.host"),
    _s(
        "http.alias.*.hosted_zone",
        DROPPED,
        "-",
        "the toolkit creates no DNS records: point the name at the load balancer's DNS name (stack output)",
    ),
    _s(
        "http.hosted_zone",
        DROPPED,
        "-",
        "the toolkit creates no DNS records: point the name at the load balancer's DNS name (stack output)",
    ),
    _s("http.healthcheck", CARRIED, "health_check.path"),
    _s("http.healthcheck.path", CARRIED, "health_check.path"),
    _s("http.healthcheck.port", CARRIED, "health_check.port"),
    _s("http.healthcheck.success_codes", CARRIED, "health_check.success_codes"),
    _s("http.healthcheck.healthy_threshold", CARRIED, "health_check.healthy_threshold"),
    _s("http.healthcheck.unhealthy_threshold", CARRIED, "health_check.unhealthy_threshold"),
    _s("http.healthcheck.interval", CONVERTED, "health_check.interval_seconds", "a duration in seconds"),
    _s("http.healthcheck.timeout", CONVERTED, "health_check.timeout_seconds", "a duration in seconds"),
    _s("http.healthcheck.grace_period", CONVERTED, "deployment.grace_period_seconds", "a duration in seconds"),
    _s("http.deregistration_delay", CONVERTED, "deployment.deregistration_delay_seconds", "a duration in seconds"),
    _s("http.target_container", CARRIED, "target.container"),
    _s("http.target_port", CARRIED, "target.port"),
    _s("http.stickiness", CONVERTED, "target.stickiness_seconds", "86400, the load balancer cookie's default of one day"),
    _s(
        "http.allowed_source_ips",
        DROPPED,
        "-",
        "the shared load balancer's listener is open to all; restrict it with a WAF web ACL or keep the service private",
    ),
    _s(
        "http.redirect_to_https",
        CONVERTED,
        "-",
        "with a certificate on the load balancer, HTTP always redirects to HTTPS",
    ),
    _s(
        "http.version",
        DROPPED,
        "-",
        "target groups speak HTTP/1.1 (target.protocol http or https); gRPC and HTTP/2 are not offered",
    ),
    _s("http.additional_rules.*.path", CONVERTED, "additional_routes.*.path", "as http.path"),
    _s("http.additional_rules.*.alias", CARRIED, "additional_routes.*.host"),
    _s("http.additional_rules.*.target_container", CARRIED, "additional_routes.*.container"),
    _s("http.additional_rules.*.target_port", CARRIED, "additional_routes.*.port"),
    _s(
        "http.additional_rules.*.healthcheck",
        DROPPED,
        "-",
        "an additional route shares the service's health check (health_check)",
    ),
    _s(
        "http.additional_rules.*.stickiness",
        DROPPED,
        "-",
        "an additional route shares the service's target settings (target.stickiness_seconds)",
    ),
    _s(
        "http.additional_rules.*.deregistration_delay",
        DROPPED,
        "-",
        "an additional route shares the service's deployment.deregistration_delay_seconds",
    ),
    _s(
        "http.additional_rules.*.allowed_source_ips",
        DROPPED,
        "-",
        "the shared load balancer's listener is open to all; restrict it with a WAF web ACL",
    ),
    _s(
        "nlb.port",
        CONVERTED,
        "nlb.port, nlb.protocol, nlb.certificate_arn",
        "'80/tcp' becomes port 80, protocol tcp; '443/tls' takes the environment's first http.public.certificates, "
        "as Copilot did (without one it becomes tcp, reported: add nlb.certificate_arn)",
    ),
    _s("nlb.healthcheck.port", CARRIED, "nlb.health_check_port"),
    _s("nlb.healthcheck", DROPPED, "-", "the network load balancer's health check uses the toolkit's fast defaults"),
    _s("nlb.target_container", DROPPED, "-", "the network load balancer sends to the main container"),
    _s("nlb.target_port", DROPPED, "-", "the network load balancer sends to the main container's port"),
    _s("nlb.ssl_policy", DROPPED, "-", "TLS listeners use the toolkit's recommended policy"),
    _s("nlb.stickiness", DROPPED, "-", "the network load balancer's target group has no stickiness setting"),
    _s(
        "nlb.alias",
        DROPPED,
        "-",
        "the toolkit creates no DNS records: point the name at the network load balancer's DNS name",
    ),
    _s(
        "nlb.additional_listeners",
        DROPPED,
        "-",
        "the toolkit's network load balancer has one listener; add a second web service for another port",
    ),
    _s(
        "observability.tracing",
        DROPPED,
        "-",
        "no X-Ray sidecar is added; add the AWS Distro for OpenTelemetry collector under sidecars",
    ),
    _s(
        "taskdef_overrides",
        DROPPED,
        "-",
        "the toolkit has no task-definition patches; most patched settings are manifest fields (see the reference)",
    ),
    _s("deployment.rolling", CONVERTED, "deployment.min_healthy_percent, deployment.max_percent", "recreate: 0 and 100"),
    _s("deployment.rollback_alarms", CARRIED, "deployment.alarms.extra", "alarm names"),
    _s(
        "deployment.rollback_alarms.cpu_utilization",
        DROPPED,
        "-",
        "rollback alarms are the error rate, unhealthy targets and named alarms (deployment.alarms)",
    ),
    _s(
        "deployment.rollback_alarms.memory_utilization",
        DROPPED,
        "-",
        "rollback alarms are the error rate, unhealthy targets and named alarms (deployment.alarms)",
    ),
    _s("sidecars.*", CONVERTED, "sidecars.*.name", "the key becomes the sidecar's name"),
    _s("sidecars.*.image", CARRIED, "sidecars.*.image"),
    _s("sidecars.*.image.location", CARRIED, "sidecars.*.image"),
    _s("sidecars.*.image.build", CONVERTED, "sidecars.*.image.build"),
    _s("sidecars.*.image.build.*", CARRIED, "sidecars.*.image.build.*"),
    _s("sidecars.*.port", CONVERTED, "sidecars.*.port", "'9090/tcp' becomes 9090"),
    _s("sidecars.*.essential", CARRIED, "sidecars.*.essential"),
    _s("sidecars.*.variables.*", CARRIED, "sidecars.*.environment.*"),
    _s("sidecars.*.secrets.*", CONVERTED, "sidecars.*.secrets.*", "as secrets"),
    _s("sidecars.*.env_file", CARRIED, "sidecars.*.env_files"),
    _s("sidecars.*.mount_points.*.source_volume", CARRIED, "sidecars.*.mounts / sidecars.*.volumes"),
    _s("sidecars.*.mount_points.*.path", CARRIED, "sidecars.*.mounts / sidecars.*.volumes"),
    _s("sidecars.*.mount_points.*.read_only", CARRIED, "sidecars.*.mounts / sidecars.*.volumes"),
    _s("sidecars.*.depends_on", CARRIED, "sidecars.*.depends_on"),
    _s("sidecars.*.healthcheck.command", CARRIED, "sidecars.*.container_health_check.command"),
    _s("sidecars.*.healthcheck.interval", CONVERTED, "sidecars.*.container_health_check.interval_seconds"),
    _s("sidecars.*.healthcheck.retries", CARRIED, "sidecars.*.container_health_check.retries"),
    _s("sidecars.*.healthcheck.timeout", CONVERTED, "sidecars.*.container_health_check.timeout_seconds"),
    _s("sidecars.*.healthcheck.start_period", CONVERTED, "sidecars.*.container_health_check.start_period_seconds"),
    _s("sidecars.*.entrypoint", CONVERTED, "sidecars.*.entry_point"),
    _s("sidecars.*.command", CONVERTED, "sidecars.*.command"),
    _s(
        "sidecars.*.credentialsParameter",
        DROPPED,
        "-",
        "the toolkit has no registry credentials field; copy the image to ECR",
    ),
    _s("sidecars.*.labels", DROPPED, "-", "the toolkit sets no Docker labels; put them in the image"),
    _s(
        "on.schedule",
        CONVERTED,
        "schedule",
        "EventBridge syntax: @daily is cron(0 0 * * ? *), @every 1h rate(1 hour); none runs on demand",
    ),
    _s("retries", CARRIED, "retries", "the toolkit retries a run whose start fails; a run that fails is not retried"),
    _s("timeout", CONVERTED, "timeout_minutes", "rounded up to whole minutes"),
    _s(
        "addons",
        CONVERTED,
        "addons",
        "copilot/<service>/addons/*.yml with addons.parameters.yml; relative to the written manifest",
    ),
    # --- the environment manifest ---
    _e("name", CONVERTED, "name", "the environment's name"),
    _e("type", CONVERTED, "-", "Environment"),
    _e("network.vpc.cidr", CARRIED, "network.cidr"),
    _e("network.vpc.id", CARRIED, "network.existing.vpc_id"),
    _e("network.vpc.subnets.public.*.cidr", DROPPED, "-", "the toolkit divides the VPC's CIDR into its subnets itself"),
    _e("network.vpc.subnets.private.*.cidr", DROPPED, "-", "the toolkit divides the VPC's CIDR into its subnets itself"),
    _e("network.vpc.subnets.public.*.az", CARRIED, "network.azs"),
    _e("network.vpc.subnets.private.*.az", CARRIED, "network.azs"),
    _e("network.vpc.subnets.public.*.id", CARRIED, "network.existing.public_subnet_ids"),
    _e("network.vpc.subnets.private.*.id", CARRIED, "network.existing.private_subnet_ids"),
    _e("network.vpc.security_group", DROPPED, "-", "services' own security groups admit only declared callers"),
    _e(
        "network.vpc.flow_logs",
        CARRIED,
        "network.flow_logs",
        "for a VPC the toolkit makes; an imported VPC (network.vpc.id) gets none from the toolkit (reported)",
    ),
    _e(
        "network.vpc.flow_logs.retention",
        CARRIED,
        "network.flow_log_retention_days",
        "for a VPC the toolkit makes",
    ),
    _e(
        "http.public.certificates",
        CONVERTED,
        "load_balancer.certificate_arn",
        "the first certificate; HTTPS with a redirect from HTTP",
    ),
    _e("http.public.access_logs", CONVERTED, "-", "the load balancer always writes access logs to a bucket of its own"),
    _e("http.public.access_logs.*", CONVERTED, "-", "the load balancer always writes access logs to a bucket of its own"),
    _e("http.public.ingress", DROPPED, "-", "the public listener is open to all; put CloudFront or a WAF web ACL in front"),
    _e("http.public.security_groups", DROPPED, "-", "the load balancer has its own security group"),
    _e("http.public.ssl_policy", DROPPED, "-", "the HTTPS listener uses the toolkit's recommended TLS policy"),
    _e("http.private", CONVERTED, "load_balancer.public: false", "an internal load balancer"),
    _e("http.private.certificates", CONVERTED, "load_balancer.certificate_arn", "the first certificate"),
    _e("http.private.ingress", DROPPED, "-", "the internal listener is open to the VPC"),
    _e("http.private.subnets", DROPPED, "-", "the internal load balancer is in the private subnets"),
    _e("http.private.security_groups", DROPPED, "-", "the load balancer has its own security group"),
    _e("observability.container_insights", CONVERTED, "cluster.container_insights", "true is enabled, false disabled"),
    _e("cdn", DROPPED, "-", "no CloudFront distribution is created; put one in front of the load balancer"),
)


def rule_for(manifest: Manifest, path: tuple[str, ...]) -> FieldRule | None:
    """The table's entry for the deepest matching prefix of ``path``."""
    for length in range(len(path), 0, -1):
        for rule in FIELDS:
            if rule.manifest == manifest and rule.matches(path[:length]):
                return rule
    return None


START = "<!-- copilot-fields:start -->"
END = "<!-- copilot-fields:end -->"


def render_table() -> str:
    """The guide's table of every field, generated from ``FIELDS``."""
    lines = ["| manifest | Copilot field | outcome | becomes | why / what to do |", "|---|---|---|---|---|"]
    for rule in FIELDS:
        why = rule.why.replace("|", "\\|")
        becomes = "-" if rule.becomes == "-" else ", ".join(f"`{part.strip()}`" for part in rule.becomes.split(", "))
        lines.append(f"| {rule.manifest} | `{rule.pattern}` | {rule.outcome} | {becomes} | {why or '-'} |")
    return "\n".join(lines)


def docs_with_table(text: str) -> str:
    """``text`` with the table between the START and END markers replaced by the current one."""
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"the page has no {START} ... {END} markers")
    return pattern.sub(lambda _: f"{START}\n{render_table()}\n{END}", text)


def main(argv: list[str]) -> int:
    """``--write PAGE`` rewrites the page's table; without ``--write`` exits 1 when it is stale."""
    write = "--write" in argv
    page = Path(next(a for a in argv if a != "--write"))
    text = page.read_text(encoding="utf-8")
    fresh = docs_with_table(text)
    if write:
        page.write_text(fresh, encoding="utf-8")
        return 0
    return 0 if fresh == text else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
