"""``python -m ecs_toolkit.rehearsal --config config/default.yaml``: bootstrap, deploy, verify, destroy in a local emulator.

Exit codes: 0 every stack deployed and every modelled resource matches its template; 1 a
deploy or verification failure (the report lists each); 2 bad usage or manifest. Progress goes to
stderr, the fidelity report to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

from ecs_toolkit import assembly as shared_assembly
from ecs_toolkit.config import ManifestError, load_manifest
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.project import default_config, project_root
from ecs_toolkit.rehearsal import certificates, fixes, gaps, images, parameters
from ecs_toolkit.rehearsal.assembly import AssemblyError, StackTemplate, load_assembly
from ecs_toolkit.rehearsal.checks import EMULATOR_ERRORS, SERVICES
from ecs_toolkit.rehearsal.custom_resources import CustomResourceResponder
from ecs_toolkit.rehearsal.deploy import CdkCli, CliError, deploy_failures, destroy_failures, explain
from ecs_toolkit.rehearsal.ops import HelperRun, run_status
from ecs_toolkit.rehearsal.report import Destroy, Rehearsal, render, to_json
from ecs_toolkit.rehearsal.server import Emulator, EmulatorError
from ecs_toolkit.rehearsal.verify import Verification, Verifier
from ecs_toolkit.verify import verify

DEFAULT_CONFIG = "the cdk.json context's config, else config/default.yaml"


class Progress:
    """One line per step on stderr, with the time since the start."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.stream = sys.stderr

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", file=self.stream, flush=True)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ecs_toolkit.rehearsal", description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default=None, help=f"the manifest to rehearse (default {DEFAULT_CONFIG})")
    parser.add_argument("--work-dir", type=Path, help="keep the cloud assembly and logs here (default: a temporary directory)")
    parser.add_argument("--concurrency", type=int, default=4, help="stacks deployed at once, dependencies permitting (default 4)")
    parser.add_argument("--assembly", type=Path, help="deploy this synthesized cloud assembly instead of synthesizing --config")
    parser.add_argument("--json", type=Path, help="also write the outcome as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="skip the destroy and keep the emulator running until Ctrl-C")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    project = project_root()
    args.config = args.config or default_config(project)
    if not (project / "cdk.json").exists():
        print(f"error: no cdk.json in {project}: run the rehearsal from the project root", file=sys.stderr)
        return 2
    try:
        config = load_manifest(args.config)
    except ManifestError as error:
        print(error, file=sys.stderr)
        return 2
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="ecs-rehearsal-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    rehearsal = Rehearsal(config=args.config, emulator=f"moto {version('moto')}")
    emulator = Emulator(log=work_dir / "emulator.log", account=config.account, region=config.region)
    try:
        # moto prints some warnings itself: while it runs in this process, stdout is its log.
        with emulator.log.open("a") as moto_output, contextlib.redirect_stdout(moto_output):
            _rehearse(args, project, work_dir, emulator, rehearsal, progress, config)
    except (CliError, AssemblyError, EmulatorError) as error:
        print(f"error: {error}", file=sys.stderr)
        print(f"logs kept in {work_dir}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if args.keep and rehearsal.verification is not None:
            return 1 if rehearsal.failures else 0
        print(f"interrupted; logs kept in {work_dir}", file=sys.stderr)
        return 130
    finally:
        emulator.stop()
    print(render(rehearsal))
    if args.json:
        args.json.write_text(to_json(rehearsal))
    failed = bool(rehearsal.failures)
    if failed or args.work_dir:
        print(f"logs kept in {work_dir}", file=sys.stderr)
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 1 if failed else 0


def _rehearse(
    args: argparse.Namespace,
    project: Path,
    work_dir: Path,
    emulator: Emulator,
    rehearsal: Rehearsal,
    progress: Progress,
    config: EnvironmentConfig,
) -> None:
    fixes.install()
    endpoint = emulator.start()
    rehearsal.emulator += f" at {endpoint}"
    progress(f"emulator listening at {endpoint} (log: {emulator.log})")
    cli = CdkCli(project=project, work_dir=work_dir, env=emulator.env(), assembly=args.assembly)
    if args.assembly:
        progress(f"bootstrapping; deploying the cloud assembly in {args.assembly}")
        rehearsal.timings["bootstrap"] = cli.bootstrap(account=emulator.account, region=emulator.region).seconds
    else:
        progress(f"synthesizing {args.config} and bootstrapping, in parallel")
        with ThreadPoolExecutor(max_workers=2) as pool:
            synth = pool.submit(cli.synth, args.config)
            bootstrap = pool.submit(cli.bootstrap, account=emulator.account, region=emulator.region)
            _prepare_clients(emulator)
            rehearsal.timings["synth"] = synth.result().seconds
            rehearsal.timings["bootstrap"] = bootstrap.result().seconds
    _prepare_clients(emulator)
    cli.assembly, skipped = images.without_image_assets(cli.assembly, work_dir)
    rehearsal.images = [f"{image.stack}: {image.name} ({image.directory})" for image in skipped]
    if skipped:
        progress(f"leaving out {len(skipped)} image(s) built from source: the emulator has no registry to push them to")
    stacks = load_assembly(cli.assembly)
    rehearsal.certificates = certificates.provide(certificates.named_certificates(stacks))
    if rehearsal.certificates:
        progress(f"standing in for {len(rehearsal.certificates)} certificate(s) the manifest names (self-signed, emulator's ACM)")
    rehearsal.public_parameters = parameters.publish(
        parameters.missing_public_parameters(stacks), account=emulator.account, region=emulator.region
    )
    if rehearsal.public_parameters:
        progress(f"publishing {len(rehearsal.public_parameters)} public SSM parameter(s) AWS has and the emulator lacks")
    rehearsal.placeholders = gaps.skipped_reads(stacks)
    gaps.install_placeholders(read.type for read in rehearsal.placeholders)
    rehearsal.fixes = fixes.relevant(
        ([resource.type for resource in stack.resources.values()], stack.template) for stack in stacks
    )

    progress(f"deploying {len(stacks)} stacks: {', '.join(stack.name for stack in stacks)}")
    responder = CustomResourceResponder(
        endpoint=endpoint,
        cloudformation=emulator.client("cloudformation"),
        stacks=stacks,
        settled=emulator.settled,
    )
    started = time.monotonic()
    with responder, emulator.after_stack_operation(responder.poll):
        try:
            cli.deploy(concurrency=args.concurrency)
        except CliError as error:
            reasons = deploy_failures(cli.work_dir / "cdk-deploy.log")
            rehearsal.deploy_error = "; ".join(f"{stack} {reason}" for stack, reason in reasons.items()) or str(error)
            progress(f"deploy failed: {rehearsal.deploy_error}")
    rehearsal.timings["deploy"] = time.monotonic() - started
    rehearsal.answered = responder.answered

    progress("verifying every stack and resource against the templates")
    started = time.monotonic()
    verifier = Verifier(emulator.client, account=emulator.account, region=emulator.region)
    verification = verifier.verify(stacks, answered={(answer.stack, answer.logical_id) for answer in responder.answered})
    rehearsal.verification = verification
    rehearsal.proof = verify(shared_assembly.load_assembly(cli.assembly, account=config.account, region=config.region), config)
    rehearsal.timings["verify"] = time.monotonic() - started

    deployed = all(stack.deployed for stack in verification.stacks)
    if deployed:
        progress("running the ops helpers' status against the rehearsal")
        started = time.monotonic()
        rehearsal.helpers = run_status(project=project, config=args.config, env=emulator.env())
        rehearsal.timings["status"] = time.monotonic() - started
    else:
        rehearsal.helpers = HelperRun(False, "the deploy did not complete")

    if args.keep:
        print(render(rehearsal), file=sys.__stdout__, flush=True)
        _wait_for_interrupt(emulator, progress)
        return
    if not deployed:
        return  # a half-created stack makes moto fail every delete request; the emulator is discarded anyway
    progress("destroying every stack")
    started = time.monotonic()
    rehearsal.destroy = _destroy(cli, emulator, verifier, stacks, verification)
    rehearsal.timings["destroy"] = time.monotonic() - started


def _prepare_clients(emulator: Emulator) -> None:
    """boto3 clients take a while to build: build them while the CLI works, not while verifying."""
    for service in ("cloudformation", *SERVICES):
        emulator.client(service)


def _destroy(
    cli: CdkCli, emulator: Emulator, verifier: Verifier, stacks: list[StackTemplate], verification: Verification
) -> Destroy:
    """``cdk destroy --all``, then what the emulator really deleted (the CLI's exit code is not trusted either way)."""
    error = ""
    try:
        cli.destroy()
    except CliError as failure:
        error = str(failure)
    reasons = destroy_failures(cli.work_dir / "cdk-destroy.log")
    try:
        summaries = emulator.client("cloudformation").list_stacks()["StackSummaries"]
    except EMULATOR_ERRORS as failure:
        error = error or f"cannot list the stacks: {failure}"
        summaries = []
    deleted = {summary["StackName"] for summary in summaries if summary["StackStatus"] == "DELETE_COMPLETE"}
    names = [stack.name for stack in verification.stacks if stack.status != "NOT_FOUND"]  # never created: nothing to delete
    fallback = explain(error) if error else "still listed after the destroy"
    remaining = {name: reasons.get(name, fallback) for name in names if name not in deleted}
    of_deleted_stacks = [result for result in verification.resources if result.stack in deleted]
    left_behind = verifier.still_present(of_deleted_stacks, stacks)
    return Destroy([name for name in names if name in deleted], remaining, left_behind)


def _wait_for_interrupt(emulator: Emulator, progress: Progress) -> None:
    progress(
        f"kept running: export AWS_ENDPOINT_URL={emulator.endpoint} AWS_ACCESS_KEY_ID=testing "
        f"AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION={emulator.region}; Ctrl-C stops the emulator"
    )
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
