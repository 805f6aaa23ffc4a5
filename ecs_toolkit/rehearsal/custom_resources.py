"""Answer the Lambda-backed custom resources that the emulator waits on, while a deploy runs.

moto invokes a custom resource's Lambda handler and then waits for the handler's callback. With
Docker off the handler never runs, so this responder plays its part: it watches the stacks that
contain custom resources and, once a stack is being created or updated, reports SUCCESS for each
of them on the emulator's callback endpoint. The resources are answered, not executed: whatever
the handler would have done (restricting a default security group, emptying a bucket) is not done.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from ecs_toolkit.rehearsal.assembly import StackTemplate, custom_resources
from ecs_toolkit.rehearsal.checks import EMULATOR_ERRORS

PENDING = {"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"}


@dataclass(frozen=True)
class Answer:
    stack: str
    logical_id: str
    type: str


class CustomResourceResponder:
    """A background thread that polls every ``interval_seconds`` until stopped."""

    def __init__(
        self,
        *,
        endpoint: str,
        cloudformation: Any,
        stacks: Iterable[StackTemplate],
        settled: Callable[[], AbstractContextManager[None]],
        interval_seconds: float = 0.2,
    ) -> None:
        """``settled`` holds off the emulator's stack operations while a pass reads and answers."""
        self._endpoint = endpoint
        self._cloudformation = cloudformation
        self._settled = settled
        self._stacks = [stack for stack in stacks if custom_resources(stack)]
        self._interval = interval_seconds
        self._answered: dict[tuple[str, str], Answer] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="custom-resource-responder", daemon=True)
        self.last_error = ""

    @property
    def answered(self) -> list[Answer]:
        return sorted(self._answered.values(), key=lambda answer: (answer.stack, answer.logical_id))

    def start(self) -> None:
        if self._stacks:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> CustomResourceResponder:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.poll()

    def poll(self) -> None:
        """One pass: answer every custom resource of every stack that is waiting for them.

        Also safe to call from the emulator right after a stack operation (``Emulator.after_stack_operation``):
        the stack is then complete before the CLI first reads its status, which spares the CLI's 5 s poll.
        """
        with self._settled():
            try:
                summaries = self._cloudformation.list_stacks(StackStatusFilter=sorted(PENDING))["StackSummaries"]
            except EMULATOR_ERRORS as error:
                self.last_error = str(error)
                return
            pending = {summary["StackName"]: summary["StackId"] for summary in summaries}
            for stack in self._stacks:
                if stack.name in pending:
                    self._answer(stack, pending[stack.name])

    def _answer(self, stack: StackTemplate, stack_id: str) -> None:
        for resource in custom_resources(stack):
            if (stack_id, resource.logical_id) in self._answered:
                continue
            if self._respond(stack_id, resource.logical_id):
                self._answered[(stack_id, resource.logical_id)] = Answer(stack.name, resource.logical_id, resource.type)

    def _respond(self, stack_id: str, logical_id: str) -> bool:
        body = {"Status": "SUCCESS", "StackId": stack_id, "LogicalResourceId": logical_id, "Data": {}}
        region = stack_id.split(":")[3]  # arn:aws:cloudformation:<region>:<account>:stack/...
        request = urllib.request.Request(
            f"{self._endpoint}/cloudformation_{region}/cfnresponse?stack={stack_id}",
            data=json.dumps(body).encode(),
            # JSON: a form body would not reach CloudFormation. moto finds the region in a user agent, not the path.
            headers={"Content-Type": "application/json", "User-Agent": f"ecs-toolkit-rehearsal region/{region}"},
            method="PUT",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError) as error:
            self.last_error = f"{logical_id}: {error}"  # registered a moment later: retried on the next pass
            return False
