"""Prove permissions: each role can do what its tasks need, read from the policies the templates attach.

A statement allows an action on a resource when its ``Action`` and ``Resource`` patterns (IAM's
``*`` and ``?``) match; an explicit ``Deny`` wins. ARNs are compared as rendered text, so a
token (the region, a resource's ARN) matches only the same token. A Secrets Manager secret named
without its random suffix matches a pattern written for the suffix (``name-??????``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ecs_toolkit.assembly import Assembly, Attribute, ResourceRef, render
from ecs_toolkit.config.models import EnvironmentConfig, GrantConfig, RolePolicyConfig
from ecs_toolkit.verify.findings import CLOSED, OPEN, Finding
from ecs_toolkit.verify.workloads import Workload

_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
SECRET_SUFFIX_SAMPLE = "-AbC123"
"""A stand-in for the six random characters Secrets Manager appends to a secret's ARN."""


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(assembly: Assembly, role: ResourceRef) -> list[Statement]:
    """Every statement of the inline policies on ``role`` and of ``AWS::IAM::Policy`` resources attached to it."""
    documents: list[Any] = []
    resource = assembly.resource(role.stack, role.logical_id)
    if resource is not None:
        props = assembly.resolve(role.stack, resource.properties)
        documents += [policy.get("PolicyDocument", {}) for policy in props.get("Policies", [])]
    for policy in assembly.resources("AWS::IAM::Policy"):
        props = assembly.resolve(policy.stack, policy.properties)
        if any(isinstance(r, ResourceRef) and r == role for r in props.get("Roles", [])):
            documents.append(props.get("PolicyDocument", {}))
    statements = []
    for document in documents:
        for statement in _listed(document.get("Statement", [])):
            statements.append(
                Statement(
                    effect=str(statement.get("Effect", "Allow")),
                    actions=tuple(str(a) for a in _listed(statement.get("Action", []))),
                    resources=tuple(render(r) for r in _listed(statement.get("Resource", []))),
                )
            )
    return statements


def allows(statements: Iterable[Statement], action: str, resource: str) -> bool:
    candidates = [resource]
    if ":secretsmanager:" in resource and ":secret:" in resource and not _SECRET_SUFFIX.search(resource):
        candidates.append(resource + SECRET_SUFFIX_SAMPLE)

    def matches(statement: Statement) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in statement.actions) and any(
            fnmatch.fnmatchcase(candidate, pattern) for pattern in statement.resources for candidate in candidates
        )

    listed = list(statements)
    if any(s.effect == "Deny" and matches(s) for s in listed):
        return False
    return any(s.effect == "Allow" and matches(s) for s in listed)


def _check(findings: list[Finding], label: str, statements: list[Statement], role: str, needs: list[tuple[str, str]]) -> None:
    missing = [f"{action} on {resource}" for action, resource in needs if not allows(statements, action, resource)]
    if missing:
        findings.append(Finding("permission", label, CLOSED, f"{role} may not: {'; '.join(missing)}"))
    else:
        findings.append(Finding("permission", label, OPEN, f"{role} may {', '.join(sorted({a for a, _ in needs}))}"))


def prove_permissions(assembly: Assembly, workloads: dict[str, Workload], config: EnvironmentConfig | None) -> list[Finding]:
    """Secrets, image pulls, mounts and ECS Exec of every workload; the manifest's grants when there is one."""
    findings: list[Finding] = []
    for name, workload in workloads.items():
        if workload.task_definition is None:
            continue
        props = assembly.resolve(workload.stack, workload.task_definition.properties)
        execution = props.get("ExecutionRoleArn")
        task = props.get("TaskRoleArn")
        execution_role = _role(execution)
        task_role = _role(task)
        containers = props.get("ContainerDefinitions", [])
        if execution_role is not None:
            statements = role_statements(assembly, execution_role)
            for container in containers:
                for secret in container.get("Secrets", []):
                    value = render(secret.get("ValueFrom"))
                    action, arn = _secret_need(value)
                    _check(findings, f"{name}: secret {secret.get('Name')}", statements, "the execution role", [(action, arn)])
                for env_file in container.get("EnvironmentFiles", []):
                    arn = render(env_file.get("Value"))
                    bucket = arn.split("/", 1)[0]
                    _check(
                        findings,
                        f"{name}: env file {arn.rsplit('/', 1)[-1]}",
                        statements,
                        "the execution role",
                        [("s3:GetObject", arn), ("s3:GetBucketLocation", bucket)],
                    )
                pulled = pulled_repository(render(container.get("Image", "")))
                if pulled is not None:
                    _check_pull(findings, f"{name}: pull {pulled.label}", statements, pulled)
        # Without the manifest (templates alone) the declared statements are unknown, so nothing is claimed.
        service_config = config.services.get(name) if config is not None else None
        for field, role, label in (
            ("task_role", task_role, "the task role"),
            ("execution_role", execution_role, "the execution role"),
        ):
            settings = getattr(service_config, field) if service_config is not None else None
            if settings is not None and role is not None:
                findings += _custom_permissions(assembly, name, field, role, label, settings)
        if task_role is not None:
            statements = role_statements(assembly, task_role)
            grants = config.services[name].grants if config is not None else ()
            for index, grant in enumerate(grants):
                _check(findings, f"{name}: grant {index} ({grant.intent})", statements, "the task role", _grant_needs(grant))
            for volume in props.get("Volumes", []):
                efs = volume.get("EFSVolumeConfiguration") or {}
                literal = efs.get("FilesystemId")
                system = assembly.target(literal)
                if efs.get("AuthorizationConfig", {}).get("IAM") != "ENABLED":
                    continue
                if isinstance(literal, str) and literal.startswith("fs-"):  # an existing file system, by id
                    arn, subject, aliased = _existing_file_system_arn(literal, config), literal, statements
                elif system is None:
                    continue
                else:
                    arn, subject, aliased = (
                        _file_system_arn(system.ref),
                        system.logical_id,
                        _with_arn_alias(statements, system.ref),
                    )
                read_only = all(
                    mount.get("ReadOnly")
                    for c in containers
                    for mount in c.get("MountPoints", [])
                    if mount.get("SourceVolume") == volume.get("Name")
                )
                needs = [("elasticfilesystem:ClientMount", arn)] + ([] if read_only else [("elasticfilesystem:ClientWrite", arn)])
                _check(findings, f"{name}: mount {subject}", aliased, "the task role", needs)
            if workload.runs_with_exec(assembly):
                _check(
                    findings,
                    f"{name}: ECS Exec",
                    statements,
                    "the task role",
                    [("ssmmessages:CreateControlChannel", "*"), ("ssmmessages:OpenDataChannel", "*")],
                )
        if workload.service is None:
            findings += _job_permissions(assembly, workload, task, execution)
    return findings


_TOKEN = r"\$\{[A-Za-z0-9:./-]+\}"
_ECR_URI = re.compile(
    rf"^(?P<account>\d{{12}}|{_TOKEN})\.dkr\.ecr\.(?P<region>[a-z0-9-]+|{_TOKEN})\.(?:amazonaws\.com(?:\.cn)?|{_TOKEN})/"
    rf"(?P<repository>(?:[a-z0-9._/-]|{_TOKEN})+?)(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*))?(?:@(?P<digest>sha256:[a-f0-9]{{64}}))?$"
)
"""A private ECR image as the templates render it: the account, the region and the repository may be deploy-time
tokens (``${AWS::AccountId}``), as in CDK's image assets (the bootstrap repository) and repositories named by the
environment's own account and region."""
ASSET_REPOSITORY = re.compile(r"^cdk-[a-z0-9]+-container-assets-")
"""The CDK bootstrap repository that image assets (images built from source) are pushed to."""


@dataclass(frozen=True)
class PulledRepository:
    account: str
    region: str
    repository: str

    @property
    def label(self) -> str:
        return (
            "the image built from source (bootstrap repository)" if ASSET_REPOSITORY.match(self.repository) else self.repository
        )

    def arns(self) -> list[str]:
        """The repository's ARN, with the partition as a literal and as the token CDK writes for agnostic stacks."""
        tail = f"ecr:{self.region}:{self.account}:repository/{self.repository}"
        return [f"arn:aws:{tail}", f"arn:${{AWS::Partition}}:{tail}"]


def pulled_repository(image: str) -> PulledRepository | None:
    """The private ECR repository a container's rendered ``Image`` pulls from, or ``None`` for other registries."""
    match = _ECR_URI.match(image)
    if match is None:
        return None
    return PulledRepository(match["account"], match["region"], match["repository"])


PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
"""What the ECS agent calls on the repository to pull an image."""


def _check_pull(findings: list[Finding], label: str, statements: list[Statement], pulled: PulledRepository) -> None:
    """The execution role may pull from the repository (under either spelling of its ARN) and get an ECR token."""
    missing = [
        f"{action} on {pulled.arns()[0]}"
        for action in PULL_ACTIONS
        if not any(allows(statements, action, arn) for arn in pulled.arns())
    ]
    if not allows(statements, "ecr:GetAuthorizationToken", "*"):
        missing.append("ecr:GetAuthorizationToken on *")
    if missing:
        findings.append(Finding("permission", label, CLOSED, f"the execution role may not: {'; '.join(missing)}"))
    else:
        findings.append(Finding("permission", label, OPEN, f"the execution role may pull from {pulled.repository}"))


def _role(value: Any) -> ResourceRef | None:
    if isinstance(value, Attribute) and value.name == "Arn":
        return ResourceRef(value.stack, value.logical_id)
    return value if isinstance(value, ResourceRef) else None


def _secret_need(value: str) -> tuple[str, str]:
    """The action and ARN the execution role needs for one ``ValueFrom``."""
    if ":secretsmanager:" in value:
        head, _, _ = value.partition(":secret:")
        name = value[len(head) + len(":secret:") :].split(":", 1)[0]
        return "secretsmanager:GetSecretValue", f"{head}:secret:{name}"
    if value.startswith("arn:"):
        return "ssm:GetParameters", value
    return "ssm:GetParameters", f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{value.lstrip('/')}"


def _file_system_arn(system: ResourceRef) -> str:
    return f"arn:${{AWS::Partition}}:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/{render(system)}"


def _existing_file_system_arn(file_system_id: str, config: EnvironmentConfig | None) -> str:
    """The ARN the stacks build for an existing file system: literal in an environment-specific manifest."""
    if config is not None and config.account is not None and config.region is not None:
        return f"arn:aws:elasticfilesystem:{config.region}:{config.account}:file-system/{file_system_id}"
    return f"arn:${{AWS::Partition}}:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/{file_system_id}"


def _with_arn_alias(statements: list[Statement], system: ResourceRef) -> list[Statement]:
    """``GetAtt FileSystem.Arn`` and the ARN built from its id are the same resource."""
    alias = render(Attribute(system.stack, system.logical_id, "Arn"))
    return [
        Statement(s.effect, s.actions, tuple(_file_system_arn(system) if r == alias else r for r in s.resources))
        for s in statements
    ]


def _grant_needs(grant: GrantConfig) -> list[tuple[str, str]]:
    """What a task that holds the grant will call, on which resource: an oracle written apart from the grant code."""
    resource = grant.resource or ""
    if grant.intent.startswith("s3"):
        objects = f"{resource}/{grant.prefix.strip('/') + '/' if grant.prefix else ''}any-key"
        needs = []
        if grant.intent in ("s3-read", "s3-read-write"):
            needs += [("s3:GetObject", objects), ("s3:ListBucket", resource)]
        if grant.intent in ("s3-write", "s3-read-write"):
            needs += [("s3:PutObject", objects), ("s3:DeleteObject", objects)]
        return needs
    if grant.intent == "ssm-read-path":
        path = (grant.path or "/").strip("/")
        parameter = f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{path}/any-name"
        return [("ssm:GetParametersByPath", parameter), ("ssm:GetParameter", parameter)]
    return {
        "dynamodb-read": [("dynamodb:GetItem", resource), ("dynamodb:Query", f"{resource}/index/any-index")],
        "dynamodb-write": [("dynamodb:PutItem", resource), ("dynamodb:DeleteItem", resource)],
        "dynamodb-read-write": [("dynamodb:GetItem", resource), ("dynamodb:PutItem", resource)],
        "sqs-send": [("sqs:SendMessage", resource)],
        "sqs-consume": [("sqs:ReceiveMessage", resource), ("sqs:DeleteMessage", resource)],
        "sns-publish": [("sns:Publish", resource)],
        "secret-read": [("secretsmanager:GetSecretValue", resource)],
        "kms-decrypt": [("kms:Decrypt", resource)],
    }[grant.intent]


def _job_permissions(assembly: Assembly, workload: Workload, task: Any, execution: Any) -> list[Finding]:
    """The state machine may run the task definition and pass its roles; the schedule may start the state machine."""
    findings: list[Finding] = []
    assert workload.task_definition is not None
    for machine in assembly.resources_in(workload.stack, "AWS::StepFunctions::StateMachine"):
        role = _role(assembly.resolve(machine.stack, machine.properties).get("RoleArn"))
        if role is None:
            continue
        needs = [("ecs:RunTask", render(workload.task_definition.ref))]
        needs += [("iam:PassRole", render(value)) for value in (task, execution) if value is not None]
        _check(findings, f"{workload.name}: run the task", role_statements(assembly, role), "the state machine role", needs)
        for schedule in assembly.resources_in(workload.stack, "AWS::Scheduler::Schedule"):
            target = assembly.resolve(schedule.stack, schedule.properties).get("Target", {})
            scheduler_role = _role(target.get("RoleArn"))
            if scheduler_role is not None:
                _check(
                    findings,
                    f"{workload.name}: start on schedule",
                    role_statements(assembly, scheduler_role),
                    "the schedule's role",
                    [("states:StartExecution", render(machine.ref))],
                )
    return findings


def _custom_permissions(
    assembly: Assembly, name: str, field: str, role: ResourceRef, label: str, settings: RolePolicyConfig
) -> list[Finding]:
    """Each custom statement as written in the manifest, and each managed policy, is on the role."""
    findings: list[Finding] = []
    statements = role_statements(assembly, role)
    for index, statement in enumerate(settings.statements):
        needs = [(action, resource) for action in statement.actions for resource in statement.resources]
        path = f"{name}: {field} statement {index}"
        if statement.effect == "allow":
            _check(findings, path, statements, label, needs)
            continue
        allowed = [f"{action} on {resource}" for action, resource in needs if allows(statements, action, resource)]
        if allowed:
            findings.append(Finding("permission", path, CLOSED, f"{label} is still allowed: {'; '.join(allowed)}"))
        else:
            findings.append(Finding("permission", path, OPEN, f"{label} is denied {', '.join(statement.actions)}"))
    resource = assembly.resource(role.stack, role.logical_id)
    attached = (
        {render(arn) for arn in assembly.resolve(role.stack, resource.properties).get("ManagedPolicyArns", [])}
        if resource is not None
        else set()
    )
    for arn in settings.managed_policies:
        policy = arn.rsplit("/", 1)[-1]
        if arn in attached:
            findings.append(Finding("permission", f"{name}: {field} policy {policy}", OPEN, f"{label} has {arn}"))
        else:
            findings.append(Finding("permission", f"{name}: {field} policy {policy}", CLOSED, f"{label} lacks {arn}"))
    return findings
