"""Verify a deployment against its synthesized templates, resource by resource.

Nothing here trusts the deploy's exit code: every stack's status is read back, every resource of
the templates is looked up by its logical id, and every resource of a type the emulator models is
checked through its service's API (``checks``). The list of resources comes from the templates,
so the verification follows the app as it grows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ecs_toolkit.rehearsal import gaps
from ecs_toolkit.rehearsal.assembly import CUSTOM_PREFIX, Resource, StackTemplate
from ecs_toolkit.rehearsal.checks import CHECKS, EMULATOR_ERRORS, INVISIBLE, Context, Missing
from ecs_toolkit.rehearsal.values import UNRESOLVED, StackValues

DEPLOYED = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
NEVER_STARTED = "NOT_FOUND"
"""The status of a stack the deploy never created (the CLI stops before the stacks that need a failed one)."""


class Outcome(enum.Enum):
    VERIFIED = "verified"
    """Found through its service's API with the template's key properties."""
    UNCHECKED = "unchecked"
    """Created (the stack lists a physical id) but no check exists for its type yet."""
    SKIPPED = "skipped"
    """The emulator does not model the type (a placeholder may stand in for it)."""
    ANSWERED = "answered"
    """A custom resource: its handler was not run, the rehearsal answered for it."""
    FAILED = "failed"
    NOT_REACHED = "not reached"
    """Its stack did not deploy (it failed, or a stack it needs failed first): the resource never got a chance,
    so it is not counted as failed; the stack's own failure is reported once, with its reason."""


@dataclass(frozen=True)
class ResourceResult:
    stack: str
    logical_id: str
    type: str
    outcome: Outcome
    detail: str = ""
    physical_id: str = ""


@dataclass(frozen=True)
class StackResult:
    name: str
    status: str
    outputs: int = 0
    """How many outputs the template declares."""
    output_problems: list[str] = field(default_factory=list)
    """Outputs missing or with another value than the template's (the helpers read them)."""

    @property
    def deployed(self) -> bool:
        return self.status in DEPLOYED


@dataclass(frozen=True)
class Verification:
    stacks: list[StackResult]
    resources: list[ResourceResult]

    @property
    def failures(self) -> list[str]:
        broken = [stack for stack in self.stacks if not stack.deployed and stack.status != NEVER_STARTED]
        waiting = [stack.name for stack in self.stacks if stack.status == NEVER_STARTED]
        failed = [f"stack {stack.name}: {stack.status}" for stack in broken]
        if waiting and broken:
            failed.append(f"not deployed, because a stack they need failed first: {', '.join(waiting)}")
        else:
            failed += [f"stack {name}: {NEVER_STARTED}" for name in waiting]
        failed += [f"stack {stack.name}: {problem}" for stack in self.stacks for problem in stack.output_problems]
        undeployed = {stack.name for stack in self.stacks if not stack.deployed}
        failed += [
            f"{result.stack}/{result.logical_id} ({result.type}): {result.detail}"
            for result in self.resources
            if result.outcome is Outcome.FAILED and result.stack not in undeployed  # implied by the stack's line
        ]
        return failed


class Verifier:
    """Checks stacks and resources through ``client(service)``, boto3 clients on the emulator."""

    def __init__(self, client: Callable[[str], Any], *, account: str, region: str) -> None:
        self.client = client
        self.account = account
        self.region = region
        self._exports: dict[str, str] | None = None
        self._values: dict[str, StackValues] = {}

    def verify(self, stacks: Iterable[StackTemplate], *, answered: set[tuple[str, str]]) -> Verification:
        stack_results: list[StackResult] = []
        resource_results: list[ResourceResult] = []
        statuses = self._statuses()
        for stack in stacks:
            status, values, outputs = self._deployed(stack, statuses.get(stack.name, NEVER_STARTED))
            problems: list[str] = []
            if values is not None:
                self._values[stack.name] = values
                problems = _output_problems(stack, values, outputs)
            stack_results.append(StackResult(stack.name, status, len(stack.template.get("Outputs", {})), problems))
            for resource in stack.resources.values():
                resource_results.append(self._resource(stack, resource, values, answered))
        return Verification(stack_results, resource_results)

    def still_present(self, results: Iterable[ResourceResult], stacks: Iterable[StackTemplate]) -> list[ResourceResult]:
        """Of the resources verified earlier, those that still exist (after a destroy)."""
        templates = {stack.name: stack for stack in stacks}
        present = []
        for result in results:
            if result.outcome is not Outcome.VERIFIED:
                continue
            stack = templates[result.stack]
            context = Context(self.client, self._values[stack.name])
            try:
                CHECKS[result.type](context, stack.resources[result.logical_id], result.physical_id)
            except (Missing, *EMULATOR_ERRORS, KeyError, ValueError, TypeError):
                continue
            present.append(result)
        return present

    def _deployed(self, stack: StackTemplate, status: str) -> tuple[str, StackValues | None, dict[str, str]]:
        cloudformation = self.client("cloudformation")
        if status not in DEPLOYED:
            return status, None, {}
        try:
            described = cloudformation.describe_stacks(StackName=stack.name)["Stacks"][0]
            listed = cloudformation.describe_stack_resources(StackName=stack.name)["StackResources"]
        except EMULATOR_ERRORS as error:
            return f"{status}, but unreadable ({error})", None, {}
        physical_ids = {
            item["LogicalResourceId"]: item.get("PhysicalResourceId") or "" for item in listed if item.get("LogicalResourceId")
        }
        parameters = {
            item["ParameterKey"]: item.get("ResolvedValue", item.get("ParameterValue", ""))
            for item in described.get("Parameters", [])
        }
        values = StackValues(
            stack.name,
            _types(stack),
            physical_ids,
            parameters,
            self._all_exports(),
            self.account,
            self.region,
            properties={logical_id: resource.properties for logical_id, resource in stack.resources.items()},
        )
        outputs = {item["OutputKey"]: item.get("OutputValue", "") for item in described.get("Outputs") or []}
        return described["StackStatus"], values, outputs

    def _statuses(self) -> dict[str, str]:
        """Each stack's status, from the stack list (describing a failed stack can crash the emulator)."""
        statuses: dict[str, str] = {}
        try:
            for page in self.client("cloudformation").get_paginator("list_stacks").paginate():
                for summary in page["StackSummaries"]:
                    if summary["StackStatus"] != "DELETE_COMPLETE":
                        statuses[summary["StackName"]] = summary["StackStatus"]
        except EMULATOR_ERRORS:
            return {}
        return statuses

    def _all_exports(self) -> dict[str, str]:
        if self._exports is None:
            self._exports = {}
            paginator = self.client("cloudformation").get_paginator("list_exports")
            try:
                for page in paginator.paginate():
                    self._exports.update({item["Name"]: item["Value"] for item in page.get("Exports", [])})
            except EMULATOR_ERRORS:
                pass  # imports stay unresolved and their checks are skipped
        return self._exports

    def _resource(
        self, stack: StackTemplate, resource: Resource, values: StackValues | None, answered: set[tuple[str, str]]
    ) -> ResourceResult:
        def result(outcome: Outcome, detail: str = "", physical_id: str = "") -> ResourceResult:
            return ResourceResult(stack.name, resource.logical_id, resource.type, outcome, detail, physical_id)

        if resource.type.startswith(CUSTOM_PREFIX):
            if (stack.name, resource.logical_id) in answered:
                return result(Outcome.ANSWERED, "answered, not executed")
            return result(Outcome.FAILED, "custom resource was never answered")
        if not gaps.modelled(resource.type):
            detail = "not modelled; a placeholder answers for it" if gaps.is_placeholder(resource.type) else "not modelled"
            return result(Outcome.SKIPPED, detail)
        if values is None:
            return result(Outcome.NOT_REACHED, "its stack did not deploy")
        if resource.logical_id not in values.physical_ids:
            return result(Outcome.FAILED, "not created (missing from the stack's resources)")
        physical_id = values.physical_ids[resource.logical_id]
        if resource.type in INVISIBLE:
            return result(Outcome.UNCHECKED, INVISIBLE[resource.type], physical_id)
        check = CHECKS.get(resource.type)
        if check is None:
            return result(Outcome.UNCHECKED, "created; no check for this type", physical_id)
        context = Context(self.client, values)
        try:
            check(context, resource, physical_id)
        except Missing as missing:
            return result(Outcome.FAILED, f"missing: {missing}", physical_id)
        except EMULATOR_ERRORS as error:
            return result(Outcome.FAILED, f"cannot be read: {error}", physical_id)
        if context.problems:
            return result(Outcome.FAILED, "; ".join(context.problems), physical_id)
        return result(Outcome.VERIFIED, "", physical_id)


def _output_problems(stack: StackTemplate, values: StackValues, published: dict[str, str]) -> list[str]:
    """Every output of the template is published, with the template's value where that can be resolved."""
    problems = []
    for key, output in stack.template.get("Outputs", {}).items():
        if key not in published:
            problems.append(f"output {key} is not published")
            continue
        expected = values.resolve(output.get("Value"))
        if expected is not UNRESOLVED and expected is not None and str(expected) != str(published[key]):
            problems.append(f"output {key} is {published[key]!r}, the template says {expected!r}")
    return problems


def _types(stack: StackTemplate) -> dict[str, str]:
    return {logical_id: resource.type for logical_id, resource in stack.resources.items()}
