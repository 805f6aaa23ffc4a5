"""AWS's own limits on what the manifest names and sizes, with the toolkit's prefixes counted.

Sources (checked 2026-11-27): Amazon ECS developer guide (task definition parameters: image at most
255 characters; container definitions at most 64 KiB), Elastic Load Balancing user guide (quotas:
100 target groups per Application Load Balancer, not adjustable; 100 rules per load balancer by
default; host conditions; health check path at most 1024 characters, timeout below interval,
success codes 200-499), Cloud Map (one service name per namespace; DNS labels at most 63 characters,
names at most 253), the AWS tagging guide (50 tags per resource, keys at most 128 and values at
most 256 characters, no ``aws:`` prefix), Amazon ECR (repository names are lower case), and ACM
(a certificate is used in its own region and account).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.image_sources import container_images, source_of
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location

IMAGE_MAX_LENGTH = 255
TARGET_GROUPS_PER_ALB = 100
HEALTH_CHECK_PATH_MAX = 1024
DNS_LABEL_MAX = 63
DNS_NAME_MAX = 253
TAGS_PER_RESOURCE = 50
TOOLKIT_TAGS = ("environment",)
"""Tags the toolkit puts on every resource itself (CDK adds none; the ``aws:`` tags CloudFormation adds do not count)."""
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$")
"""Tag keys and values: letters, digits, spaces and ``_ . : / = + - @``."""
CONTAINER_DEFINITIONS_MAX_BYTES = 64 * 1024
RESERVED_STACK_SUFFIXES = ("network", "platform")
"""``<env>-network`` and ``<env>-platform`` are the environment's own stacks."""

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOST = rf"(?:localhost|{_LABEL}(?:\.{_LABEL})+|{_LABEL}:\d+)(?::\d+)?"
"""A registry: a dotted host name, localhost, or a name with a port (``app/x`` is a repository, not a host)."""
IMAGE_REFERENCE = re.compile(
    rf"^(?:(?P<registry>{_HOST})/)?(?P<repository>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)
"""The OCI distribution reference grammar: ``[registry[:port]/]repository[:tag][@digest]``, repository in lower case."""
_ECR_HOST = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<rest>.*)$")
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):certificate/")


def check_limits(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every AWS limit the manifest can break before anything is deployed."""
    yield from _tags(config)
    yield from _stack_names(config)
    yield from _certificates(config)
    yield from _namespace(config)
    yield from _discovery_names(config)
    yield from _target_groups(config)
    for name, service in config.services.items():
        where: Location = ("services", name)
        yield from _images(where, service)
        yield from _health_check(where, service)
        yield from _container_definitions(where, name, service)
        yield from _finite_numbers(where, service)
        yield from _sidecar_cpu(config, where, service)
        yield from _shared_ports(config, where, service)
        yield from _scheduled_minimum(where, service)


def _tags(config: EnvironmentConfig) -> Iterator[Finding]:
    own = [key for key in TOOLKIT_TAGS if key not in config.tags]
    if len(config.tags) + len(own) > TAGS_PER_RESOURCE:
        yield (
            ("tags",),
            f"{len(config.tags)} tags plus the toolkit's own ({', '.join(own)}) is {len(config.tags) + len(own)}: "
            f"AWS allows at most {TAGS_PER_RESOURCE} per resource, so use at most {TAGS_PER_RESOURCE - len(own)}",
        )
    for key, value in config.tags.items():
        where: Location = ("tags", key)
        if key.lower().startswith("aws:"):
            yield where, "tag keys starting with aws: are reserved for AWS"
        if not 1 <= len(key) <= TAG_KEY_MAX:
            yield where, f"the key is {len(key)} characters: tag keys are 1 to {TAG_KEY_MAX}"
        if len(value) > TAG_VALUE_MAX:
            yield where, f"the value is {len(value)} characters: tag values are at most {TAG_VALUE_MAX}"
        for part, text in (("key", key), ("value", value)):
            if not TAG_TEXT.match(text):
                yield (
                    where,
                    f"the {part} {text!r} has characters tags do not allow: use letters, digits, spaces and _ . : / = + - @",
                )


def _stack_names(config: EnvironmentConfig) -> Iterator[Finding]:
    for name in config.services:
        if name in RESERVED_STACK_SUFFIXES:
            yield (
                ("services", name),
                f"a service named {name!r} would get the stack {config.name}-{name}, the environment's own {name} stack: "
                "choose another name",
            )


def _certificates(config: EnvironmentConfig) -> Iterator[Finding]:
    places: list[tuple[Location, str | None]] = []
    if config.load_balancer is not None:
        places.append((("load_balancer", "certificate_arn"), config.load_balancer.certificate_arn))
    for name, service in config.services.items():
        if service.nlb is not None:
            places.append((("services", name, "nlb", "certificate_arn"), service.nlb.certificate_arn))
    for where, arn in places:
        match = _ACM_ARN.match(arn or "")
        if match is None:
            continue
        if config.region is not None and match["region"] != config.region:
            yield (
                where,
                f"the certificate is in {match['region']} but the load balancer is in {config.region}: "
                f"a load balancer uses certificates of its own region (request or import one in {config.region})",
            )
        if config.account is not None and match["account"] != config.account:
            yield where, f"the certificate belongs to account {match['account']}, the environment is in {config.account}"


def _namespace(config: EnvironmentConfig) -> Iterator[Finding]:
    namespace = derived.namespace_of(config)
    where: Location = ("cluster", "namespace") if config.cluster.namespace is not None else ("name",)
    if len(namespace) > DNS_NAME_MAX:
        yield where, f"the namespace {namespace} is {len(namespace)} characters: DNS names are at most {DNS_NAME_MAX}"
    for label in namespace.split("."):
        if len(label) > DNS_LABEL_MAX:
            yield where, f"the label {label[:20]}... is {len(label)} characters: DNS labels are at most {DNS_LABEL_MAX}"


def _discovery_names(config: EnvironmentConfig) -> Iterator[Finding]:
    owners: dict[str, str] = {}
    for name, service in config.services.items():
        discovery = derived.discovery_name_of(name, service)
        if discovery is None:
            continue
        if discovery in owners:
            where: Location = ("services", name, "discovery", "name") if service.discovery is not None else ("services", name)
            yield (
                where,
                f"{discovery}.{derived.namespace_of(config)} is already service {owners[discovery]!r}'s name: "
                "Cloud Map takes one service per name in a namespace",
            )
        else:
            owners[discovery] = name


def _target_groups(config: EnvironmentConfig) -> Iterator[Finding]:
    """One target group and one listener rule per routed service (and per additional route with a target of its own),
    all on the shared load balancer."""
    routed = [name for name, service in config.services.items() if service.route is not None]
    routed += [
        name
        for name, service in config.services.items()
        if service.route is not None
        for route in service.additional_routes
        if derived.route_has_own_target(name, service, route)
    ]
    for name in routed[TARGET_GROUPS_PER_ALB:]:
        yield (
            ("services", name, "route"),
            f"{len(routed)} routed services need {len(routed)} target groups on the shared load balancer: "
            f"AWS allows {TARGET_GROUPS_PER_ALB} per Application Load Balancer (not adjustable; its 100 listener rules "
            "by default are the same count): give further services an nlb or a second environment",
        )


def _images(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """Image references as written (builds and declared repositories get their URI from the toolkit)."""
    for used in container_images(str(where[-1]), service):
        reference = used.source.reference
        problem = image_problem(reference) if reference is not None else None
        if problem is not None:
            yield used.location, problem


def image_problem(image: str) -> str | None:
    """What is wrong with an image reference, or ``None``."""
    if len(image) > IMAGE_MAX_LENGTH:
        return f"the image reference is {len(image)} characters: ECS takes at most {IMAGE_MAX_LENGTH}"
    if any(character.isspace() for character in image):
        return f"{image!r} contains whitespace: an image reference has none"
    ecr = _ECR_HOST.match(image)
    if ecr is not None:
        repository = re.split(r"[:@]", ecr["rest"], maxsplit=1)[0]
        if repository != repository.lower():
            return (
                f"ECR repository names are lower case: {repository!r} cannot exist "
                f"(write {image.replace(repository, repository.lower(), 1)})"
            )
    if IMAGE_REFERENCE.match(image) is None:
        return (
            f"{image!r} is not an image reference: [registry[:port]/]repository[:tag][@sha256:digest], "
            "the repository in lower-case letters, digits and . _ - separators"
        )
    return None


def _health_check(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    check = service.health_check
    at: Location = (*where, "health_check")
    if len(check.path) > HEALTH_CHECK_PATH_MAX:
        yield (*at, "path"), f"the path is {len(check.path)} characters: a health check path is at most {HEALTH_CHECK_PATH_MAX}"
    if check.timeout_seconds >= check.interval_seconds:
        yield (
            (*at, "timeout_seconds"),
            f"timeout {check.timeout_seconds} s is not below the interval {check.interval_seconds} s: "
            "a load balancer's health check times out before the next one starts",
        )
    for part in check.success_codes.split(","):
        codes = [int(code) for code in part.split("-")]
        if any(not 200 <= code <= 499 for code in codes):
            yield (*at, "success_codes"), f"{part} is outside 200-499, the codes an ALB health check can accept"
        elif len(codes) == 2 and codes[0] > codes[1]:
            yield (*at, "success_codes"), f"the range {part} runs backwards: write it from low to high"
    for place, route in derived.service_routes(service):
        for index, host in enumerate(derived.route_hosts(route)):
            if "." not in host:
                yield (
                    (*where, *place, "host", *(() if isinstance(route.host, str) else (index,))),
                    f"{host!r} has no dot: a host condition is a domain name such as shop.example.com (* and ? allowed)",
                )


def _container_definitions(where: Location, name: str, service: ServiceConfig) -> Iterator[Finding]:
    """A lower bound of the task's container definitions: only what the manifest spells out, as JSON.

    Conservative: names, images, environment, secrets (references as written, shorter than the ARNs
    they become), command and entry point; the log, port, mount and health-check settings the
    toolkit adds are not counted, so a task reported here is certainly over the limit.
    """
    containers = [
        (name, service.image, service.environment, service.secrets, service.command, service.entry_point),
        *((s.name, s.image, s.environment, s.secrets, s.command, s.entry_point) for s in service.sidecars),
    ]
    size = 0
    for container, image, environment, secrets, command, entry_point in containers:
        size += len(
            json.dumps(
                {
                    "name": container,
                    "image": source_of(image).reference or source_of(image).describe(),
                    "environment": [{"name": key, "value": value} for key, value in environment.items()],
                    "secrets": [{"name": key, "valueFrom": value} for key, value in secrets.items()],
                    "command": command or [],
                    "entryPoint": entry_point or [],
                },
                separators=(",", ":"),
            ).encode()
        )
    if size > CONTAINER_DEFINITIONS_MAX_BYTES:
        yield (
            where,
            f"the container definitions are at least {math.ceil(size / 1024)} KiB (environment, secrets and commands alone): "
            f"ECS takes at most 64 KiB per task definition: move large values into files or SSM parameters",
        )


def _finite_numbers(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    scaling = service.scaling
    if scaling is None:
        return
    numbers: list[tuple[Location, float | None]] = []
    if scaling.custom_metric is not None:
        numbers.append(((*where, "scaling", "custom_metric", "target"), scaling.custom_metric.target))
    if scaling.steps is not None:
        for index, step in enumerate(scaling.steps.steps):
            at: Location = (*where, "scaling", "steps", "steps", index)
            numbers += [((*at, "lower"), step.lower), ((*at, "upper"), step.upper)]
    for at, number in numbers:
        if number is not None and not math.isfinite(number):
            yield at, f"{number} is not a finite number: CloudWatch and Application Auto Scaling take finite values only"
    if scaling.custom_metric is not None and math.isfinite(scaling.custom_metric.target) and scaling.custom_metric.target <= 0:
        yield (*where, "scaling", "custom_metric", "target"), f"{scaling.custom_metric.target:g} is not above 0"


def _sidecar_cpu(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    sidecars = sum(sidecar.cpu or 0 for sidecar in service.sidecars)
    task = derived.task_cpu(config, service)
    if sidecars and sidecars >= task:
        at: Location = (*where, "cpu") if "cpu" in service.model_fields_set else where
        yield (
            at,
            f"{task} cpu units leave nothing for the main container after {sidecars} units of sidecars: "
            f"raise cpu above {sidecars} or lower the sidecars' cpu",
        )


def _shared_ports(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """In awsvpc and host mode the containers of a task share one network: one container per port."""
    if derived.network_mode_of(config, service) not in ("awsvpc", "host"):
        return
    owners: dict[int, str] = {}
    if service.port is not None:
        owners[service.port] = "the main container"
    for index, sidecar in enumerate(service.sidecars):
        if sidecar.port is None:
            continue
        if sidecar.port in owners:
            yield (
                (*where, "sidecars", index, "port"),
                f"port {sidecar.port} is already {owners[sidecar.port]}'s: the containers of an awsvpc or host-mode task "
                "share one network, so each port belongs to one container",
            )
        else:
            owners[sidecar.port] = f"sidecar {sidecar.name!r}"


def _scheduled_minimum(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    scaling = service.scaling
    if scaling is None:
        return
    for index, action in enumerate(scaling.schedule):
        if action.min is not None and action.max is None and action.min > scaling.max:
            yield (
                (*where, "scaling", "schedule", index, "min"),
                f"min {action.min} is above the service's max {scaling.max}: raise scaling.max or set max here too",
            )
