"""Scaling and job rules: ranges, step intervals, schedules, queue backlog, job-only fields.

``manifest.service(body)`` puts the body's first line on line 12 under ``services.api``.
"""

from __future__ import annotations

import pytest

WEB = "kind: web\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\nroute: {path: /api/*}\n"  # lines 12-17
WORKER = "kind: worker\nimage: app\ncpu: 256\nmemory_mib: 512\n"  # lines 12-15
JOB = 'kind: job\nimage: app\ncpu: 256\nmemory_mib: 512\nschedule: "rate(1 hour)"\n'  # lines 12-16


def test_accepts_every_scaling_option_together(manifest) -> None:
    body = WEB + (
        "scaling:\n"
        "  min: 2\n"
        "  max: 10\n"
        "  cpu_percent: 60\n"
        "  memory_percent: 70\n"
        "  requests_per_target: 500\n"
        "  custom_metric: {namespace: Shop, name: InFlight, target: 20}\n"
        "  steps: {metric: cpu, steps: [{upper: 20, change: -1}, {lower: 70, upper: 85, change: 2}, {lower: 85, change: 4}]}\n"
        '  schedule: [{schedule: "cron(0 8 ? * MON-FRI *)", time_zone: Europe/Berlin, min: 4}]\n'
    )
    scaling = manifest.load(manifest.service(body)).services["api"].scaling
    assert scaling is not None and scaling.max == 10 and len(scaling.steps.steps) == 3


def test_fails_when_max_is_below_min(manifest) -> None:
    body = WEB + "scaling: {min: 5, max: 2}\n"
    assert manifest.problems(manifest.service(body)) == ["18: services.api.scaling.max: max 2 is less than min 5"]


@pytest.mark.parametrize("target", [0, 101])
def test_fails_on_a_cpu_or_memory_target_of_zero_or_over_100(manifest, target: int) -> None:
    body = WEB + f"scaling: {{max: 4, cpu_percent: {target}, memory_percent: {target}}}\n"
    assert manifest.problems(manifest.service(body)) == [
        f"18: services.api.scaling.cpu_percent: must be a whole number from 1 to 100 (got {target})",
        f"18: services.api.scaling.memory_percent: must be a whole number from 1 to 100 (got {target})",
    ]


def test_fails_when_count_is_given_with_scaling(manifest) -> None:
    body = WEB + "count: 3\nscaling: {max: 4}\n"
    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.count: does not apply with scaling: scaling.min is the floor and deploys keep the running count"
    ]


def test_fails_on_requests_per_target_without_a_route(manifest) -> None:
    body = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\nscaling: {max: 4, requests_per_target: 100}\n"
    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.scaling.requests_per_target: needs a route on the application load balancer"
    ]


def test_fails_on_overlapping_steps(manifest) -> None:
    body = (
        WEB
        + "scaling:\n  max: 4\n  steps:\n    steps:\n      - {lower: 50, upper: 80, change: 1}\n      - {lower: 70, change: 2}\n"
    )
    assert manifest.problems(manifest.service(body)) == [
        "23: services.api.scaling.steps.steps.1.lower: lower 70 overlaps the step before it (upper 80): order steps ascending"
    ]


def test_fails_on_steps_out_of_order(manifest) -> None:
    body = WEB + "scaling:\n  max: 4\n  steps:\n    steps:\n      - {lower: 80, change: 2}\n      - {upper: 30, change: -1}\n"
    assert manifest.problems(manifest.service(body)) == [
        "22: services.api.scaling.steps.steps.0.upper: only the last step can be open above",
        "23: services.api.scaling.steps.steps.1.lower: only the first step can be open below",
    ]


def test_fails_on_a_step_with_no_bounds_no_change_or_reversed_bounds(manifest) -> None:
    body = WEB + ("scaling:\n  max: 4\n  steps:\n    steps:\n      - {change: 1}\n      - {lower: 60, upper: 40, change: 0}\n")
    assert manifest.problems(manifest.service(body)) == [
        "22: services.api.scaling.steps.steps.0: give lower, upper or both",
        "23: services.api.scaling.steps.steps.1: lower 60 is not below upper 40",
        "23: services.api.scaling.steps.steps.1.change: a step must change the task count",
    ]


def test_fails_on_a_single_step(manifest) -> None:
    body = WEB + "scaling:\n  max: 4\n  steps: {steps: [{lower: 70, change: 1}]}\n"
    problems = manifest.problems(manifest.service(body))
    assert problems == ["20: services.api.scaling.steps.steps: must be a list of at least 2 items (got [{lower: 70, change: 1}])"]


def test_fails_on_a_scheduled_action_that_changes_nothing_or_inverts_min_and_max(manifest) -> None:
    body = (
        WEB
        + 'scaling:\n  max: 4\n  schedule:\n    - {schedule: "rate(1 hour)"}\n    - {schedule: "rate(2 hours)", min: 5, max: 3}\n'
    )
    assert manifest.problems(manifest.service(body)) == [
        "21: services.api.scaling.schedule.0: a scheduled action sets min, max or both",
        "22: services.api.scaling.schedule.1.max: max 3 is less than min 5",
    ]


def test_fails_on_queue_scaling_outside_a_worker(manifest) -> None:
    text = manifest.service(WEB + "scaling: {max: 4, queue: {backlog_per_task: 10}}\n")
    assert manifest.problems(text) == ["18: services.api.scaling.queue: queue backlog scaling is for workers, this is a web"]


def test_fails_on_queue_scaling_without_container_insights(manifest) -> None:
    text = manifest.service(WORKER + "scaling: {max: 4, queue: {}}\n").replace(
        "cluster:\n", "cluster:\n  container_insights: disabled\n"
    )
    assert manifest.problems(text) == [
        "17: services.api.scaling.queue: backlog per task divides by Container Insights' RunningTaskCount, "
        "which container_insights: disabled does not publish: use enabled or enhanced"
    ]


def test_fails_on_a_queue_arn_that_is_not_sqs(manifest) -> None:
    text = manifest.service(WORKER + 'scaling: {max: 4, queue: {arn: "arn:aws:sns:eu-west-1:111122223333:topic"}}\n')
    problems = manifest.problems(text)
    assert len(problems) == 1 and problems[0].startswith(
        "16: services.api.scaling.queue.arn: must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>) (got 'arn:aws:sns:"
    )


def test_accepts_a_worker_scaling_on_its_queue(manifest) -> None:
    config = manifest.load(manifest.service(WORKER + "scaling: {max: 20, queue: {backlog_per_task: 50}}\n"))
    queue = config.services["api"].scaling.queue
    assert queue is not None and queue.backlog_per_task == 50 and queue.max_receive_count == 5


@pytest.mark.parametrize(("field", "value"), [("time_zone", "Europe/Berlin"), ("timeout_minutes", "30"), ("retries", "1")])
def test_fails_on_job_fields_outside_a_job(manifest, field: str, value: str) -> None:
    assert manifest.problems(manifest.service(WEB + f"{field}: {value}\n")) == [
        f"18: services.api.{field}: applies to jobs only, this is a web"
    ]


def test_fails_on_scaling_a_job(manifest) -> None:
    assert manifest.problems(manifest.service(JOB + "scaling: {max: 2}\n")) == [
        "17: services.api.scaling: a job runs one task per schedule and does not scale"
    ]


def test_fails_on_a_job_timeout_out_of_range(manifest) -> None:
    problems = manifest.problems(manifest.service(JOB + "timeout_minutes: 0\n"))
    assert problems == ["17: services.api.timeout_minutes: must be a whole number from 1 to 10080 (got 0)"]


def test_accepts_a_job_with_time_zone_timeout_and_retries(manifest) -> None:
    job = manifest.load(manifest.service(JOB + "time_zone: Europe/Berlin\ntimeout_minutes: 30\nretries: 0\n")).services["api"]
    assert (job.time_zone, job.timeout_minutes, job.retries) == ("Europe/Berlin", 30, 0)
