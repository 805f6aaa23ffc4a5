"""``env_files`` on the main container and sidecars, and ``ephemeral_storage_gib`` (Fargate only).

``manifest.service(body)`` puts the body's first line on line 12; the Fargate body takes lines 12-16.
Local env files are relative to the manifest: the tests write them next to it.
"""

from __future__ import annotations

from pathlib import Path

from ecs_toolkit.config import load_manifest

FARGATE = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
EC2 = "kind: backend\nimage: app\nport: 8080\ncapacity: [{provider: general}]\n"


def _env_file(manifest, relative: str) -> Path:
    path = manifest.path.parent / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("A=1\n", encoding="utf-8")
    return path


def test_loads_local_s3_url_and_s3_arn_env_files_on_the_main_container_and_a_sidecar(manifest) -> None:
    _env_file(manifest, "env/app.env")
    body = FARGATE + (
        "env_files: [env/app.env, s3://config-bucket/app/prod.env]\n"
        "sidecars:\n"
        "  - {name: proxy, image: envoy, memory_mib: 64, env_files: ['arn:aws:s3:::config-bucket/proxy.env']}\n"
    )

    config = manifest.load(manifest.service(body))

    assert config.services["api"].env_files == ["env/app.env", "s3://config-bucket/app/prod.env"]
    assert config.services["api"].sidecars[0].env_files == ["arn:aws:s3:::config-bucket/proxy.env"]
    assert config.manifest_dir == manifest.path.parent.resolve()


def test_local_env_files_are_found_relative_to_the_manifest_not_the_working_directory(
    manifest, tmp_path: Path, monkeypatch
) -> None:
    _env_file(manifest, "beside.env")
    monkeypatch.chdir(tmp_path)  # nothing named beside.env here

    config = load_manifest(manifest.write(manifest.service(FARGATE + "env_files: [beside.env]\n")))

    assert (config.manifest_dir / config.services["api"].env_files[0]).is_file()


def test_fails_when_a_local_env_file_does_not_exist(manifest) -> None:
    missing = manifest.path.parent / "nowhere" / "app.env"

    assert manifest.problems(manifest.service(FARGATE + "env_files: [nowhere/app.env]\n")) == [
        f"17: services.api.env_files.0: nowhere/app.env does not exist (looked for {missing}; paths are relative to the manifest)"
    ]


def test_fails_when_a_local_env_file_is_a_directory(manifest) -> None:
    (manifest.path.parent / "a-directory.env").mkdir(exist_ok=True)
    directory = manifest.path.parent / "a-directory.env"

    assert manifest.problems(manifest.service(FARGATE + "env_files: [a-directory.env]\n")) == [
        f"17: services.api.env_files.0: a-directory.env is a directory, not a file (looked for {directory}; "
        "paths are relative to the manifest)"
    ]


def test_fails_when_an_env_file_does_not_end_in_dot_env(manifest) -> None:
    body = FARGATE + "env_files: [s3://config-bucket/app/prod.txt]\n"

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.env_files.0: 'prod.txt' does not end in .env: ECS loads environment files with the .env extension only"
    ]


def test_fails_when_an_s3_reference_is_malformed(manifest) -> None:
    body = FARGATE + "env_files: ['s3://Bad_Bucket', 'arn:aws:s3:::bucket-only', 'https://example.com/a.env']\n"

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.env_files.0: 's3://Bad_Bucket' is not an S3 object URL (use s3://<bucket>/<key>.env)",
        "17: services.api.env_files.1: 'arn:aws:s3:::bucket-only' is not an S3 object ARN (use arn:aws:s3:::<bucket>/<key>.env)",
        "17: services.api.env_files.2: 'https://example.com/a.env' is neither a local file nor an S3 object "
        "(use a path relative to the manifest, s3://<bucket>/<key>.env or arn:aws:s3:::<bucket>/<key>.env)",
    ]


def test_fails_when_a_sidecar_has_more_than_ten_env_files(manifest) -> None:
    files = ", ".join(f"s3://config-bucket/{i}.env" for i in range(11))
    body = FARGATE + f"sidecars:\n  - name: proxy\n    image: envoy\n    memory_mib: 64\n    env_files: [{files}]\n"

    assert manifest.problems(manifest.service(body)) == [
        "21: services.api.sidecars.0.env_files: 11 files: ECS takes at most 10 per container (merge some of them)"
    ]


def test_fails_when_an_env_file_is_listed_twice(manifest) -> None:
    body = FARGATE + "env_files: [s3://config-bucket/a.env, s3://config-bucket/a.env]\n"

    assert manifest.problems(manifest.service(body)) == ["17: services.api.env_files.1: s3://config-bucket/a.env is listed twice"]


def test_loads_ephemeral_storage_on_fargate(manifest) -> None:
    config = manifest.load(manifest.service(FARGATE + "ephemeral_storage_gib: 200\n"))

    assert config.services["api"].ephemeral_storage_gib == 200


def test_fails_when_ephemeral_storage_is_outside_fargates_range(manifest) -> None:
    assert manifest.problems(manifest.service(FARGATE + "ephemeral_storage_gib: 20\n")) == [
        "17: services.api.ephemeral_storage_gib: must be a whole number from 21 to 200 (got 20)"
    ]


def test_fails_when_ephemeral_storage_is_set_on_ec2(manifest) -> None:
    assert manifest.problems(manifest.service(EC2 + "ephemeral_storage_gib: 40\n")) == [
        "16: services.api.ephemeral_storage_gib: is a Fargate setting: EC2 tasks use their instance's disk "
        "(size it with the EC2 group's root_volume_gib)"
    ]
