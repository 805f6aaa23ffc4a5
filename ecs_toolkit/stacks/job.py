"""One stack per scheduled job."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from ecs_toolkit import outputs
from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.constructs.cluster import StrategyItem
from ecs_toolkit.constructs.job import ScheduledJob
from ecs_toolkit.stacks.common import removal_policy, retention
from ecs_toolkit.stacks.containers import task_containers
from ecs_toolkit.stacks.platform import PlatformStack


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
        if job.schedule is None:
            raise ValueError(f"JobStack: job {name!r} has no schedule")
        launch = derived.launch_of(config, job)
        mode = derived.network_mode_of(config, job)
        strategy = derived.service_strategy(config, job)
        self.job = ScheduledJob(
            self,
            "Job",
            cluster=platform.cluster,
            vpc=platform.vpc,
            containers=task_containers(self, config, name, job, launch),
            fargate=launch == "fargate",
            network_mode=mode,
            cpu=derived.task_cpu(config, job),
            memory_mib=derived.task_memory_mib(config, job),
            schedule=job.schedule,
            time_zone=job.time_zone,
            timeout=Duration.minutes(job.timeout_minutes),
            retries=job.retries,
            arm64=job.architecture == "arm64",
            capacity_provider_strategies=platform.ecs.strategy(
                [StrategyItem(i.provider, weight=i.weight, base=i.base) for i in strategy]
            ),
            subnets=ec2.SubnetSelection(subnets=platform.vpc.private_subnets),
            log_retention=retention(job.log_retention_days),
            removal_policy=removal_policy(config),
            log_stream_prefix=name,
        )
        task = self.job.task
        cdk.CfnOutput(self, outputs.TASK_DEFINITION_ARN, value=task.task_definition.task_definition_arn)
        cdk.CfnOutput(self, outputs.TASK_FAMILY, value=task.task_definition.family)
        cdk.CfnOutput(self, outputs.CONTAINER_NAME, value=task.main_container_name)
        cdk.CfnOutput(self, outputs.LOG_GROUP_NAME, value=task.log_group.log_group_name)
        cdk.CfnOutput(self, outputs.LAUNCH_TYPE, value=launch.upper())
        cdk.CfnOutput(self, outputs.NETWORK_MODE, value=mode)
        cdk.CfnOutput(
            self, outputs.CAPACITY_STRATEGY, value=outputs.join_list([f"{i.provider}:{i.base}:{i.weight}" for i in strategy])
        )
        groups = [self.job.security_group.security_group_id] if self.job.security_group else []
        cdk.CfnOutput(
            self,
            outputs.TASK_SECURITY_GROUP_IDS,
            value=cdk.Fn.join(outputs.LIST_SEPARATOR, groups) if groups else outputs.EMPTY_LIST,
        )
        cdk.CfnOutput(self, outputs.SCHEDULE_NAME, value=self.job.schedule.schedule_name)
        cdk.CfnOutput(self, outputs.STATE_MACHINE_ARN, value=self.job.state_machine.state_machine_arn)
