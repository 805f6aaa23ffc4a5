"""Task volumes (task-local, host path, EBS per task), mounts and volumes_from, against launch type and kind.

``manifest.service(body)`` puts the body's first line on line 12. ``FARGATE`` takes lines 12-16,
``EC2`` lines 12-15; tests append from the next line.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.config import load_manifest_with_warnings

FARGATE = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
EC2 = "kind: backend\nimage: app\nport: 8080\ncapacity: [{provider: general}]\n"
JOB = 'kind: job\nimage: app\ncpu: 256\nmemory_mib: 512\nschedule: "rate(1 hour)"\n'


def test_loads_task_local_host_path_and_ebs_volumes_mounted_by_two_containers(manifest) -> None:
    body = EC2 + (
        "task_volumes:\n"
        "  scratch: {}\n"
        "  docker-sock: {host_path: /var/run/docker.sock}\n"
        "  data: {ebs: {size_gib: 100, type: io2, iops: 5000, snapshot_id: snap-0123456789abcdef0, "
        "initialization_rate_mibps: 200}}\n"
        "mounts: {scratch: /scratch, data: {path: /data, read_only: true}}\n"
        "sidecars:\n"
        "  - {name: agent, image: x, memory_mib: 32, mounts: {docker-sock: /var/run/docker.sock}, "
        "volumes_from: [{container: api, read_only: true}]}\n"
    )

    service = manifest.load(manifest.service(body)).services["api"]

    assert service.task_volumes["data"].ebs is not None and service.task_volumes["data"].ebs.iops == 5000
    assert service.sidecars[0].volumes_from[0].container == "api"


def test_fails_when_fargate_gets_a_host_path(manifest) -> None:
    body = FARGATE + "task_volumes:\n  sock: {host_path: /var/run/docker.sock}\n"

    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.task_volumes.sock.host_path: host paths exist on EC2 only: drop host_path for task-local "
        "storage, or run the service on EC2"
    ]


def test_fails_when_a_job_has_an_ebs_volume_or_a_task_has_two(manifest) -> None:
    job = manifest.problems(manifest.service(JOB + "task_volumes:\n  data: {ebs: {size_gib: 10}}\n"))
    two = manifest.problems(
        manifest.service(FARGATE + "task_volumes:\n  one: {ebs: {size_gib: 10}}\n  two: {ebs: {size_gib: 10}}\n")
    )

    assert job == ["18: services.api.task_volumes.data.ebs: ECS attaches EBS volumes to a service's tasks only, not to a job's"]
    assert two == ["19: services.api.task_volumes.two.ebs: ECS attaches one EBS volume per task, and 'one' is already one"]


@pytest.mark.parametrize(
    ("ebs", "problem"),
    [
        ("{size_gib: 10, type: io2}", "iops: is required for io2 volumes (100 or more)"),
        ("{size_gib: 10, type: gp3, iops: 20000}", "iops: gp3 volumes take 3000 to 16000 IOPS"),
        ("{size_gib: 10, type: gp2, iops: 3000}", "iops: gp2 volumes take no provisioned IOPS (gp3, io1 and io2 do)"),
        (
            "{size_gib: 10, type: io1, iops: 200, throughput_mibps: 500}",
            "throughput_mibps: io1 volumes take no provisioned throughput (gp3 does)",
        ),
        ("{size_gib: 10, type: st1}", "size_gib: st1 volumes are 125 to 16384 GiB"),
        (
            "{size_gib: 10, initialization_rate_mibps: 200}",
            "initialization_rate_mibps: applies to volumes created from a snapshot: give snapshot_id",
        ),
        (
            "{size_gib: 10, encrypted: false, kms_key_arn: 'arn:aws:kms:eu-west-1:111122223333:key/abc'}",
            "kms_key_arn: applies to encrypted volumes only: remove it or set encrypted: true",
        ),
    ],
)
def test_fails_when_an_ebs_volume_does_not_fit_its_type(manifest, ebs: str, problem: str) -> None:
    body = FARGATE + f"task_volumes:\n  data: {{ebs: {ebs}}}\n"

    assert manifest.problems(manifest.service(body)) == [f"18: services.api.task_volumes.data.ebs.{problem}"]


def test_fails_when_a_mount_names_no_task_volume_or_reuses_a_path(manifest) -> None:
    body = FARGATE + "task_volumes:\n  tmp: {}\n  cache: {}\nmounts: {tmp: /tmp, cache: /tmp, logs: /logs}\n"

    assert manifest.problems(manifest.service(body)) == [
        "20: services.api.mounts.cache: mount path /tmp is already used by 'tmp'",
        "20: services.api.mounts.logs: no task volume 'logs' (have: tmp, cache): declare it under task_volumes",
    ]


def test_fails_when_volumes_from_names_itself_or_no_container(manifest) -> None:
    body = FARGATE + (
        "volumes_from: [{container: api}]\n"
        "sidecars:\n"
        "  - {name: side, image: x, memory_mib: 32, volumes_from: [{container: nope}]}\n"
    )

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.volumes_from.0.container: a container cannot mount its own volumes",
        "19: services.api.sidecars.0.volumes_from.0.container: no container 'nope' in this task (have: api, side)",
    ]


def test_fails_when_volumes_from_and_depends_on_make_containers_wait_for_each_other(manifest) -> None:
    body = FARGATE + (
        "volumes_from: [{container: side}]\nsidecars:\n  - {name: side, image: x, memory_mib: 32, depends_on: {api: start}}\n"
    )

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.volumes_from: containers wait for each other and never start: api -> side -> api"
    ]


def test_fails_when_a_task_volume_takes_a_file_systems_name(manifest) -> None:
    text = manifest.service(FARGATE + "volumes: {shared: /srv}\ntask_volumes:\n  shared: {}\n").replace(
        "services:\n", "file_systems: {shared: {}}\nservices:\n", 1
    )

    assert manifest.problems(text) == [
        "20: services.api.task_volumes.shared: the name 'shared' is already a file system under volumes: "
        "name the task volume differently"
    ]


def test_a_writable_task_volume_where_the_image_writes_silences_the_read_only_root_warning(manifest) -> None:
    image = "image: public.ecr.aws/nginx/nginx-unprivileged:stable\n"
    base = FARGATE.replace("image: app\n", image) + "task_volumes:\n  tmp: {}\n"
    writable = manifest.write(manifest.service(base + "mounts: {tmp: /tmp}\n"))
    _, quiet = load_manifest_with_warnings(writable)
    read_only = manifest.write(manifest.service(base + "mounts: {tmp: {path: /tmp, read_only: true}}\n"))
    _, warned = load_manifest_with_warnings(read_only)
    from_sidecar = manifest.write(
        manifest.service(
            base
            + "volumes_from: [{container: side}]\n"
            + "sidecars:\n  - {name: side, image: x, memory_mib: 32, mounts: {tmp: /tmp}}\n"
        )
    )
    _, through_sidecar = load_manifest_with_warnings(from_sidecar)

    def about_the_image(lines: list[str]) -> list[str]:
        return [line.split(": ", 2)[1] for line in lines if "root file system is read-only" in line]

    assert about_the_image(quiet) == []
    assert about_the_image(through_sidecar) == []
    assert about_the_image(warned) == ["services.api.image"]
