"""An ECS job: EventBridge Scheduler (or whoever runs it on demand) starts a state machine that runs the task and waits.

Scheduler alone cannot stop a task that runs too long, so the schedule starts a Step Functions
state machine whose ``ecs:runTask.sync`` state has the job's timeout: when it expires, Step
Functions stops the task and the execution fails. Scheduler retries a start that fails and sends
what it could not start to a dead-letter queue; an alarm fires on failed, timed-out or aborted runs
and on anything in the dead-letter queue.

Without a schedule the job runs on demand only: the state machine and its failure alarm stay, the
schedule, its dead-letter queue and that queue's alarm are not created.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy, TimeZone
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from ecs_toolkit.compliance import LOGS_ENCRYPTED_BY_SERVICE, SQS_ENCRYPTED_BY_SERVICE, acknowledge, skip_checkov
from ecs_toolkit.constructs.task import ContainerSpec, EcsTask, LogRouter, TaskVolume, exec_log_group_of

START_MARGIN = Duration.minutes(10)
"""Added to the task timeout for the whole execution: placement and image pull happen before the run."""


class ScheduledJob(Construct):
    """A task run on a schedule (cron/rate/at with a time zone), or on demand (``schedule=None``), with a
    maximum run time enforced.

    ``enable_execute_command`` starts every run with ECS Exec on (``EnableExecuteCommand`` in the
    state's RunTask parameters) and gives the task role the same Exec permissions a service gets.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ecs.ICluster,
        vpc: ec2.IVpc,
        containers: Sequence[ContainerSpec],
        fargate: bool,
        network_mode: str = "awsvpc",
        cpu: int,
        memory_mib: int,
        schedule: str | None,
        time_zone: str | None = None,
        timeout: Duration = Duration.minutes(60),
        retries: int = 2,
        arm64: bool = False,
        capacity_provider_strategies: Sequence[ecs.CapacityProviderStrategy] | None = None,
        subnets: ec2.SubnetSelection | None = None,
        enable_execute_command: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        log_stream_prefix: str = "ecs",
        volumes: Sequence[TaskVolume] = (),
        ephemeral_storage_gib: int | None = None,
        log_router: LogRouter | None = None,
        extra_security_groups: Sequence[ec2.ISecurityGroup] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        if extra_security_groups and network_mode != "awsvpc":
            raise ValueError(
                f"ScheduledJob: extra_security_groups need awsvpc; {network_mode}-mode tasks use their instance's security groups"
            )
        if not 0 <= retries <= 185:
            raise ValueError(f"ScheduledJob: retries must be 0-185, got {retries}")
        if any(volume.ebs is not None for volume in volumes):
            raise ValueError("ScheduledJob: ECS attaches EBS volumes to a service's tasks only")
        if timeout.to_seconds() < 60:
            raise ValueError("ScheduledJob: give the job at least a minute")
        if schedule is None and time_zone is not None:
            raise ValueError("ScheduledJob: a time zone needs a schedule")
        self.task = EcsTask(
            self,
            containers=containers,
            fargate=fargate,
            network_mode=network_mode,
            cpu=cpu,
            memory_mib=memory_mib,
            vpc=vpc,
            arm64=arm64,
            enable_execute_command=enable_execute_command,
            exec_log_group=exec_log_group_of(cluster),
            log_retention=log_retention,
            removal_policy=removal_policy,
            log_stream_prefix=log_stream_prefix,
            volumes=volumes,
            ephemeral_storage_gib=ephemeral_storage_gib,
            log_router=log_router,
        )
        self.task_definition = self.task.task_definition
        self.security_group = self.task.security_group
        self.extra_security_groups = list(extra_security_groups)
        """Existing groups the tasks take besides their own (awsvpc)."""
        groups = [self.security_group, *self.extra_security_groups] if self.security_group else None
        capacity = (
            tasks.CapacityProviderOptions.custom(list(capacity_provider_strategies)) if capacity_provider_strategies else None
        )
        launch_target: tasks.IEcsLaunchTarget = (
            tasks.EcsFargateLaunchTarget(platform_version=ecs.FargatePlatformVersion.LATEST, capacity_provider_options=capacity)
            if fargate
            else tasks.EcsEc2LaunchTarget(capacity_provider_options=capacity)
        )
        run = tasks.EcsRunTask(
            self,
            "Run",
            integration_pattern=sfn.IntegrationPattern.RUN_JOB,
            cluster=cluster,
            task_definition=self.task_definition,
            launch_target=launch_target,
            subnets=subnets if network_mode == "awsvpc" else None,
            security_groups=groups,
            assign_public_ip=False if network_mode == "awsvpc" else None,
            task_timeout=sfn.Timeout.duration(timeout),
            propagated_tag_source=ecs.PropagatedTagSource.TASK_DEFINITION,
            # Each run starts with ECS Exec on; the task role has the channels (EcsTask grants them).
            enable_execute_command=enable_execute_command or None,
        )
        self.execution_logs = logs.LogGroup(self, "ExecutionLogs", retention=log_retention, removal_policy=removal_policy)
        skip_checkov(self.execution_logs, "CKV_AWS_158", LOGS_ENCRYPTED_BY_SERVICE)
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(run),
            timeout=timeout.plus(START_MARGIN),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.execution_logs, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        acknowledge(
            self.state_machine,
            "AwsSolutions-IAM5[Resource::*]",
            "CDK's runTask.sync policy: ecs:DescribeTasks/StopTask on tasks that exist only at run time, and the "
            "CloudWatch Logs delivery and X-Ray actions, which accept no resource scoping",
        )
        skip_checkov(
            self.state_machine.role.node.find_child("DefaultPolicy"),
            "CKV_AWS_111",
            "CDK's runTask.sync policy: ecs:StopTask on tasks that exist only at run time, and the CloudWatch Logs "
            "delivery and X-Ray actions, which accept no resource scoping",
        )
        self.dead_letters: sqs.Queue | None = None
        self.schedule: scheduler.Schedule | None = None
        if schedule is not None:
            self._schedule(schedule, time_zone, retries, removal_policy)
        failures = cloudwatch.MathExpression(
            expression="failed + timedout + aborted",
            using_metrics={
                "failed": self.state_machine.metric_failed(period=Duration.minutes(5), statistic="Sum"),
                "timedout": self.state_machine.metric_timed_out(period=Duration.minutes(5), statistic="Sum"),
                "aborted": self.state_machine.metric_aborted(period=Duration.minutes(5), statistic="Sum"),
            },
            label="Failed runs",
            period=Duration.minutes(5),
        )
        self.failure_alarm = _alarm_on_any(self, "FailureAlarm", failures, "A run of this job failed, timed out or was aborted")
        self.dead_letter_alarm: cloudwatch.Alarm | None = None
        if self.dead_letters is not None:
            self.dead_letter_alarm = _alarm_on_any(
                self,
                "DeadLetterAlarm",
                self.dead_letters.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
                "The schedule could not start this job",
            )

    def _schedule(self, schedule: str, time_zone: str | None, retries: int, removal_policy: RemovalPolicy) -> None:
        """The schedule that starts the state machine, and the dead-letter queue of starts it gave up on."""
        dead_letters = self.dead_letters = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=removal_policy,
        )
        acknowledge(dead_letters, "AwsSolutions-SQS3", "This queue is the dead-letter queue of the job's schedule")
        skip_checkov(dead_letters, "CKV_AWS_27", SQS_ENCRYPTED_BY_SERVICE)
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            schedule=scheduler.ScheduleExpression.expression(schedule, TimeZone.of(time_zone) if time_zone else None),
            target=scheduler_targets.StepFunctionsStartExecution(
                self.state_machine,
                dead_letter_queue=dead_letters,
                retry_attempts=retries,
                max_event_age=Duration.hours(1),
            ),
            description=f"Runs {self.node.path}",
        )


def _alarm_on_any(scope: Construct, construct_id: str, metric: cloudwatch.IMetric, description: str) -> cloudwatch.Alarm:
    """An alarm as soon as one occurrence shows in a 5-minute period; no data is not a problem."""
    return cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description,
    )
