"""One stack per job: run on a schedule, or on demand only."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from ecs_toolkit import outputs
from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.constructs.job import ScheduledJob
from ecs_toolkit.stacks.messaging import published_topics
from ecs_toolkit.stacks.platform import PlatformStack
from ecs_toolkit.stacks.tasks import apply_task_permissions, plan_task, publish_task_outputs


class JobStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        name: str,
        platform: PlatformStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        job = config.services[name]
        self.topics, topic_variables = published_topics(self, config, name)
        plan = plan_task(self, config, name, platform, topic_variables or None)
        self.job = ScheduledJob(
            self,
            "Job",
            schedule=derived.job_schedule(job),
            time_zone=job.time_zone,
            timeout=Duration.minutes(job.timeout_minutes),
            retries=job.retries,
            enable_execute_command=job.exec,
            **plan.arguments,
        )
        apply_task_permissions(self.job, self.job.task_definition, job)
        if self.topics is not None:
            self.topics.grant_publish(self.job.task_definition.task_role)
        for alarm in (self.job.failure_alarm, self.job.dead_letter_alarm):
            if alarm is not None:
                alarm.add_alarm_action(platform.alarm_topic.action)
        publish_task_outputs(self, self.job.task, plan)
        if self.job.schedule is not None:
            cdk.CfnOutput(self, outputs.SCHEDULE_NAME, value=self.job.schedule.schedule_name)
        cdk.CfnOutput(self, outputs.STATE_MACHINE_ARN, value=self.job.state_machine.state_machine_arn)

    @property
    def task_security_group(self) -> ec2.ISecurityGroup | None:
        """The awsvpc tasks' own group (None in bridge and host mode, where tasks use their instances')."""
        return self.job.security_group
