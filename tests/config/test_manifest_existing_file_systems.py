"""``file_systems.NAME.existing``: an EFS file system made elsewhere, mounted by id."""

from __future__ import annotations

import pytest

from tests.config.test_manifest_warnings import warnings_of

FS = "fs-0123456789abcdef0"
SG = "sg-0123456789abcdef0"
MOUNTED = (
    "services:\n  api:\n    kind: worker\n    image: app\n    cpu: 256\n    memory_mib: 512\n    volumes: {media: /srv/media}\n"
)


def test_loads_an_existing_file_system_with_its_group(manifest) -> None:
    config = manifest.load(f"name: test\nfile_systems:\n  media:\n    existing: {{id: {FS}, security_group_id: {SG}}}\n")

    existing = config.file_systems["media"].existing
    assert existing is not None
    assert (existing.id, existing.security_group_id, existing.kms) == (FS, SG, True)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("throughput_mode: bursting", "throughput_mode"),
        ("backups: false", "backups"),
        ("removal: destroy", "removal"),
        ("kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/abcd", "kms_key_arn"),
        ("infrequent_access_after_days: null", "infrequent_access_after_days"),
        ("performance_mode: max_io", "performance_mode"),
    ],
)
def test_fails_when_a_created_file_systems_setting_is_given_for_an_existing_one(manifest, line: str, field: str) -> None:
    text = f"name: test\nfile_systems:\n  media:\n    existing: {{id: {FS}}}\n    {line}\n"

    assert manifest.problems(text) == [
        f"5: file_systems.media.{field}: applies to a file system the toolkit creates, not to an existing one "
        "(change it where the file system is managed, or remove it here)"
    ]


def test_fails_when_the_id_is_not_a_file_system_id(manifest) -> None:
    assert manifest.problems("name: test\nfile_systems:\n  media:\n    existing: {id: fsap-0123456789abcdef0}\n") == [
        "4: file_systems.media.existing.id: must be an EFS file system id: fs- and 8 to 40 lower-case hex digits "
        "(got 'fsap-0123456789abcdef0')"
    ]


def test_warns_that_the_mount_targets_must_admit_the_services_without_a_group(manifest) -> None:
    text = f"name: test\nfile_systems:\n  media:\n    existing: {{id: {FS}}}\n" + MOUNTED

    assert warnings_of(manifest, text) == [
        f"4: file_systems.media.existing: warning: no security_group_id: the mount targets of {FS} must already admit "
        "NFS (tcp/2049) from the services that mount it (their tasks' or instances' security groups), or their tasks "
        "fail to start; give security_group_id and each service adds that rule"
    ]


def test_warns_about_an_unencrypted_file_system_and_not_about_an_unmounted_one(manifest) -> None:
    text = f"name: test\nfile_systems:\n  media:\n    existing: {{id: {FS}, security_group_id: {SG}, kms: false}}\n"

    assert warnings_of(manifest, text) == [
        f"4: file_systems.media.existing.kms: warning: {FS} is not encrypted at rest: file systems the toolkit "
        "creates always are (a file system is encrypted only when it is created)"
    ]
