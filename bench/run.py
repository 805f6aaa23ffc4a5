#!/usr/bin/env python3
"""Synth benchmark: the toolkit against a hand-written plain-CDK app and an empty app, and synth time and
memory against the number of services; optionally the wall time of ``make test``. Writes ``bench/results.md``.

Every synth is a fresh process run the way ``cdk synth`` runs the app: ``python app.py`` (or the plain or
empty app) with ``CDK_OUTDIR`` set to a new directory and ``CDK_CONTEXT_JSON`` holding cdk.json's context
plus the keys the CDK CLI adds. One extra case runs the pinned CLI itself (``cdk synth``). Cases are
interleaved and repeated; the median is reported with the range. Peak memory is the largest sum of the
resident set sizes of the process tree (python and jsii's node runtime), sampled every 50 ms.

    python bench/run.py [--repeat 3] [--sizes 1,10,40,80] [--manifest config/default.yaml]
                        [--skip plain,nag,cli,empty,sizes,warm-up] [--with-make-test] [--output bench/results.md]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "node_modules" / ".bin"
CLI_CONTEXT = {
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:enable-asset-metadata": True,
    "aws:cdk:version-reporting": True,
    "aws:cdk:bundling-stacks": ["**"],
}
"""What the CDK CLI adds to cdk.json's context when it runs the app."""
SAMPLE_SECONDS = 0.05
FINDINGS_LINE = "cdk-nag AwsSolutions findings:"
"""What ``bench/plain_app.py`` prints with ``bench:nag``."""
SKIPPABLE = ("plain", "nag", "cli", "empty", "sizes", "warm-up")
TARGET_TOOLKIT_OVER_PLAIN = 1.10
TARGET_LARGEST_OVER_SMALLEST = 3.0
TARGET_MAKE_TEST_SECONDS = 300
NOISY_SPREAD = 1.25
"""Slowest over fastest wall time of a case above which its figures are flagged as disturbed."""
STACK_LIMIT = 500


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    """User + system time of the process and every descendant it waited for (jsii waits for its node)."""
    peak_rss_mib: float
    returncode: int
    stderr: tuple[str, ...]
    """The last lines the app wrote to stderr."""

    @property
    def error(self) -> str:
        return self.stderr[-1][:200] if self.stderr else "no output"


@dataclass
class Case:
    key: str
    label: str
    command: Callable[[Path], list[str]]
    context: dict[str, object] | None
    """``CDK_CONTEXT_JSON`` for the app; ``None`` for the CLI, which builds it."""
    runs: list[Run] = field(default_factory=list)
    resources: dict[str, int] = field(default_factory=dict)
    findings: str = ""

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def best(self) -> float:
        return min(run.seconds for run in self.runs)

    @property
    def median_cpu(self) -> float:
        return statistics.median(run.cpu_seconds for run in self.runs)

    @property
    def peak(self) -> float:
        return statistics.median(run.peak_rss_mib for run in self.runs)

    @property
    def failed(self) -> list[Run]:
        return [run for run in self.runs if run.returncode != 0]


# --- measuring --------------------------------------------------------------------------------


def _process_tree_rss(root_pid: int) -> int:
    """Resident bytes of ``root_pid`` and all its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid and child not in tree]
        tree.update(children)
        frontier.extend(children)
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(command: list[str], context: dict[str, object] | None, out_dir: Path) -> Run:
    """Run one synth to completion: wall time, peak RSS of its process tree, exit code."""
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(BIN), str(Path(sys.executable).parent), environment.get("PATH", "")])
    environment["CDK_OUTDIR"] = str(out_dir)
    environment.pop("CDK_CONTEXT_JSON", None)
    if context is not None:
        environment["CDK_CONTEXT_JSON"] = json.dumps(context)
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=errors)
        done = threading.Event()
        peak = [0]

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _process_tree_rss(process.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        tail = [line for line in errors.read().decode(errors="replace").splitlines() if line.strip()]
    largest_process = usage.ru_maxrss / 1024  # KiB on Linux
    return Run(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=max(peak[0] / 2**20, largest_process),
        returncode=process.returncode,
        stderr=tuple(tail[-20:]),
    )


def stack_resources(out_dir: Path) -> dict[str, int]:
    return {
        path.name.removesuffix(".template.json"): len(json.loads(path.read_text()).get("Resources", {}))
        for path in sorted(out_dir.glob("*.template.json"))
    }


# --- inputs -----------------------------------------------------------------------------------


def cdk_context(**extra: object) -> dict[str, object]:
    context: dict[str, object] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return {**context, **CLI_CONTEXT, **extra}


SERVICE_KINDS = ("fargate-web", "ec2-web", "worker", "backend")


def generated_manifest(services: int) -> str:
    """An environment like the default one (VPC, two EC2 groups, Fargate, ALB, EFS) with ``services`` services,
    cycling through a Fargate web service, an EC2 bridge web service, a worker and a backend."""
    lines = [
        f"name: gen{services}",
        "ephemeral: true",
        "network: {azs: 2, nat_gateways: 1}",
        "cluster:",
        "  capacity:",
        "    ec2:",
        "      - {name: ondemand, instance_types: [t3.medium], min: 1, max: 4}",
        "      - {name: spot, instance_types: [t3.medium, t3a.medium, m5.large], spot: true, max: 6}",
        "    fargate: true",
        "load_balancer: {public: true}",
        "file_systems: {shared: {}}",
        "services:",
    ]
    for index in range(services):
        name = f"svc{index:03d}"
        kind = SERVICE_KINDS[index % len(SERVICE_KINDS)]
        lines.append(f"  {name}:")
        common = "    image: public.ecr.aws/docker/library/httpd:2.4\n    cpu: 256\n    memory_mib: 512"
        if kind == "fargate-web":
            lines += [
                "    kind: web",
                common,
                "    port: 80",
                f'    route: {{path: "/{name}/*", priority: {100 + index}}}',
                "    capacity: [{provider: FARGATE, base: 1, weight: 1}, {provider: FARGATE_SPOT, weight: 3}]",
                "    read_only_root_filesystem: false",
            ]
        elif kind == "ec2-web":
            lines += [
                "    kind: web",
                common,
                "    port: 80",
                f'    route: {{path: "/{name}/*", priority: {100 + index}}}',
                "    capacity: [{provider: ondemand, base: 1, weight: 1}, {provider: spot, weight: 3}]",
                "    read_only_root_filesystem: false",
            ]
        elif kind == "worker":
            lines += ["    kind: worker", common, '    command: [sh, -c, "sleep 3600"]', '    user: "65534"']
        else:
            lines += ["    kind: backend", common, "    port: 8080", '    user: "1000"']
    return "\n".join(lines) + "\n"


# --- machine ----------------------------------------------------------------------------------


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine(load_at_start: float) -> dict[str, str]:
    memory_kib = _first("/proc/meminfo", "MemTotal").split()[0]
    node = subprocess.run([str(BIN / "node"), "--version"], capture_output=True, text=True, check=False).stdout.strip()
    cli = json.loads((ROOT / "package.json").read_text()).get("devDependencies", {}).get("aws-cdk", "unknown")
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU": _first("/proc/cpuinfo", "model name"),
        "Memory": f"{int(memory_kib) / 2**20:.1f} GiB" if memory_kib.isdigit() else "unknown",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Node": f"{node} (node_modules/.bin/node)",
        "aws-cdk-lib / CDK CLI / cdk-nag": f"{metadata.version('aws-cdk-lib')} / {cli} / {metadata.version('cdk-nag')}",
        "Load average (1 min) at start / end": f"{load_at_start:.2f} / {os.getloadavg()[0]:.2f} (other work shows here)",
    }


# --- running ----------------------------------------------------------------------------------


def run_cases(cases: Sequence[Case], repeat: int, work: Path, log: Callable[[str], None]) -> None:
    """Each repetition runs every case once, in order, so drift spreads over all of them."""
    for repetition in range(1, repeat + 1):
        for case in cases:
            out_dir = work / f"{case.key}-{repetition}"
            result = measure(case.command(out_dir), case.context, out_dir)
            case.runs.append(result)
            if result.returncode == 0:
                case.resources = stack_resources(out_dir)
                for line in result.stderr:
                    if line.startswith(FINDINGS_LINE):
                        case.findings = line.removeprefix(FINDINGS_LINE).strip()
            status = "ok" if result.returncode == 0 else f"FAILED ({result.error})"
            log(
                f"[{repetition}/{repeat}] {case.label}: {result.seconds:.1f} s, CPU {result.cpu_seconds:.1f} s, "
                f"{result.peak_rss_mib:.0f} MiB, {status}"
            )
            shutil.rmtree(out_dir, ignore_errors=True)


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    returncode: int
    summary: str


def make_test(log: Callable[[str], None]) -> list[Step]:
    """``make test`` step by step (lint, check, pytest as its recipe runs them), so that one failing step
    does not hide the time of the others; the total is their sum."""
    steps = [
        ("make lint", ["make", "--no-print-directory", "lint"]),
        ("make check", ["make", "--no-print-directory", "check"]),
        (
            "pytest -n 2 --dist loadfile",
            [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile"],
        ),
    ]
    results = []
    for name, command in steps:
        log(f"make test, {name} ...")
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        summary = lines[-1].strip("= ")[:200] if lines else "no output"
        results.append(Step(name, seconds, done.returncode, summary))
        log(f"  {seconds:.0f} s, exit {done.returncode}: {results[-1].summary}")
    return results


# --- report -----------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _range(case: Case) -> str:
    return f"{min(run.seconds for run in case.runs):.2f}-{max(run.seconds for run in case.runs):.2f}"


def _row(case: Case) -> str:
    resources = sum(case.resources.values())
    failed = f" ({len(case.failed)} failed)" if case.failed else ""
    return (
        f"| {case.label}{failed} | {len(case.resources)} | {resources} | {case.median:.2f} | {_range(case)} "
        f"| {case.median_cpu:.2f} | {case.peak:.0f} |"
    )


def _ratio_line(name: str, numerator: Case, denominator: Case, target: float) -> str:
    wall = numerator.median / denominator.median
    best = numerator.best / denominator.best
    cpu = numerator.median_cpu / denominator.median_cpu
    return (
        f"- {name}: **{cpu:.2f}** by CPU time, **{wall:.2f}** by median wall time, {best:.2f} by best wall time "
        f"(target <= {target:.2f}: CPU {_verdict(cpu <= target)}, median wall {_verdict(wall <= target)})."
    )


def _noisy(cases: Sequence[Case]) -> list[str]:
    """A note for cases whose wall times spread widely: the machine was busy with other work."""
    spread = [
        case.label
        for case in cases
        if len(case.runs) > 1 and max(r.seconds for r in case.runs) > NOISY_SPREAD * min(r.seconds for r in case.runs)
    ]
    if not spread:
        return []
    return [
        f"- wall times of {len(spread)} of {len(cases)} cases spread by more than {NOISY_SPREAD - 1:.0%} between "
        "repetitions (other work on the machine): read the CPU times and the best wall times first.",
    ]


def _comparison(args: argparse.Namespace, comparison: Sequence[Case]) -> list[str]:
    by_key = {case.key: case for case in comparison}
    out = [
        f"## Default manifest ({args.manifest}): toolkit against plain CDK",
        "",
        "| app | stacks | resources | median wall s | wall range s | median CPU s | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(_row(case) for case in comparison),
        "",
    ]
    toolkit, plain, empty, nag = (by_key.get(key) for key in ("toolkit", "plain", "empty", "nag"))
    if toolkit is None or plain is None:
        return out
    out.append(_ratio_line("toolkit / plain", toolkit, plain, TARGET_TOOLKIT_OVER_PLAIN))
    out += _noisy(comparison)
    if nag is not None:
        findings = f" ({nag.findings} unacknowledged findings on the plain app)" if nag.findings else ""
        out.append(
            "- the toolkit runs cdk-nag AwsSolutions on every synth (app.py attaches it); against plain CDK with the "
            f"same pack{findings}:"
        )
        out.append("  " + _ratio_line("toolkit / (plain + cdk-nag)", toolkit, nag, TARGET_TOOLKIT_OVER_PLAIN)[2:])
        out.append(
            f"- cdk-nag's share: plain + cdk-nag costs {nag.median_cpu - plain.median_cpu:.2f} s CPU more than plain; "
            f"the toolkit costs {toolkit.median_cpu - plain.median_cpu:.2f} s CPU more than plain."
        )
    if empty is not None:
        out.append(
            f"- above the empty app's floor ({empty.median:.2f} s wall, {empty.median_cpu:.2f} s CPU): toolkit "
            f"{toolkit.median_cpu - empty.median_cpu:.2f} s CPU, plain {plain.median_cpu - empty.median_cpu:.2f} s CPU."
        )
    names = sorted(set(toolkit.resources) | set(plain.resources))
    out += [
        "",
        "Resources per stack (the plain app rebuilds the toolkit's stacks by hand; the toolkit gives each",
        "scalable target its own IAM role where plain CDK uses the service-linked role):",
        "",
        "| stack | toolkit | plain |",
        "|---|---:|---:|",
        *(f"| {name} | {toolkit.resources.get(name, '-')} | {plain.resources.get(name, '-')} |" for name in names),
        "",
    ]
    return out


def _sizes(sizes: Sequence[tuple[int, Case]]) -> list[str]:
    if not sizes:
        return []
    smallest = sizes[0][1]
    out = [
        "## Synth time and memory against the number of services (generated manifests)",
        "",
        "| services | stacks | resources | largest stack | median wall s | wall range s | median CPU s | peak RSS MiB "
        "| wall / smallest | CPU / smallest |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, case in sizes:
        out.append(
            f"| {count} | {len(case.resources)} | {sum(case.resources.values())} | {max(case.resources.values(), default=0)} "
            f"| {case.median:.2f} | {_range(case)} | {case.median_cpu:.2f} | {case.peak:.0f} "
            f"| {case.median / smallest.median:.2f} | {case.median_cpu / smallest.median_cpu:.2f} |"
        )
    out.append("")
    if len(sizes) > 1:
        count, largest = sizes[-1]
        wall = largest.median / smallest.median
        cpu = largest.median_cpu / smallest.median_cpu
        out.append(
            f"- {count} services / {sizes[0][0]}: **{wall:.2f}x** by wall time, **{cpu:.2f}x** by CPU time (target < "
            f"{TARGET_LARGEST_OVER_SMALLEST:.0f}x: wall {_verdict(wall < TARGET_LARGEST_OVER_SMALLEST)}, "
            f"CPU {_verdict(cpu < TARGET_LARGEST_OVER_SMALLEST)})."
        )
        out += _noisy([case for _, case in sizes])
    biggest = max((max(case.resources.values(), default=0) for _, case in sizes), default=0)
    out += [
        f"- largest stack in any run: {biggest} resources (target < {STACK_LIMIT}: {_verdict(biggest < STACK_LIMIT)}).",
        "- generated services cycle through a Fargate web service (ALB route), an EC2 bridge web service (ALB route),",
        "  a worker and a backend (Cloud Map), on the default manifest's network, capacity, ALB and EFS.",
        "",
    ]
    return out


def _make_test(steps: Sequence[Step] | None) -> list[str]:
    out = ["## make test", ""]
    if steps is None:
        return [*out, "Not measured in this run (`python bench/run.py --with-make-test`)."]
    total = sum(step.seconds for step in steps)
    out += [
        "`make test` runs lint, check and pytest in sequence; they were timed one by one so that a failing step",
        "does not hide the time of the others.",
        "",
        "| step | wall s | exit | last line |",
        "|---|---:|---:|---|",
        *(f"| {step.name} | {step.seconds:.0f} | {step.returncode} | {step.summary.replace('|', '/')} |" for step in steps),
        f"| **total** | **{total:.0f}** | | |",
        "",
        f"- total **{total / 60:.1f} min** (target < {TARGET_MAKE_TEST_SECONDS // 60} min: "
        f"{_verdict(total < TARGET_MAKE_TEST_SECONDS)})"
        + ("." if all(step.returncode == 0 for step in steps) else "; a step failed, see its last line."),
    ]
    return out


def report(
    args: argparse.Namespace,
    info: dict[str, str],
    comparison: Sequence[Case],
    sizes: Sequence[tuple[int, Case]],
    steps: Sequence[Step] | None,
) -> str:
    out = [
        "# Synth benchmark",
        "",
        f"Measured {datetime.date.today().isoformat()} with `make bench` "
        f"(`{' '.join(['python bench/run.py', *sys.argv[1:]])}`): {args.repeat} repetitions, median reported.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in info.items()),
        "",
        "## How",
        "",
        "Every synth is a fresh process, run the way `cdk synth` runs the app: `python app.py` (or the plain or empty",
        "app) with `CDK_OUTDIR` set to a new directory and `CDK_CONTEXT_JSON` holding cdk.json's context plus the keys",
        "the CDK CLI adds. The `cdk synth` row runs the pinned CLI itself, which adds its own start-up. The cases are",
        "interleaved in each repetition. Wall time is what a user waits; CPU time (user + system of the process and",
        "the children it waits for, jsii's node included) is what the synth costs, and is far less disturbed by",
        "other work on the machine. Peak RSS is the largest sum of resident memory over the process tree (python",
        "and node), sampled every 50 ms, or the largest single process if that is more.",
        "",
        *_comparison(args, comparison),
        *_sizes(sizes),
        *_make_test(steps),
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="repetitions of every case (default: 3)")
    parser.add_argument("--sizes", default="1,10,40,80", help="service counts of the generated manifests (default: 1,10,40,80)")
    parser.add_argument("--manifest", default="config/default.yaml", help="manifest of the toolkit cases (default: %(default)s)")
    parser.add_argument("--skip", default="", help=f"comma-separated cases to leave out: {', '.join(SKIPPABLE)}")
    parser.add_argument("--with-make-test", action="store_true", help="also time `make test` (slow)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md", help="where to write the results")
    args = parser.parse_args(argv)
    skip = {item.strip() for item in args.skip.split(",") if item.strip()}
    if skip - set(SKIPPABLE) or args.repeat < 1:
        parser.error(f"--skip takes {', '.join(SKIPPABLE)}; --repeat at least 1")
    sizes = [] if "sizes" in skip else sorted({int(size) for size in args.sizes.split(",") if size.strip()})
    manifest = str((ROOT / args.manifest).resolve()) if not Path(args.manifest).is_absolute() else args.manifest
    python = sys.executable
    load_at_start = os.getloadavg()[0]

    def log(line: str) -> None:
        print(line, flush=True)

    with tempfile.TemporaryDirectory(prefix="ecs-toolkit-bench-") as scratch:
        work = Path(scratch)
        comparison = [
            Case(
                "toolkit",
                "toolkit (`python app.py`, cdk-nag included)",
                lambda _: [python, "app.py"],
                cdk_context(config=manifest),
            )
        ]
        if "cli" not in skip:
            comparison.append(
                Case(
                    "cli",
                    "toolkit through the CLI (`cdk synth --quiet`)",
                    lambda out: [str(BIN / "cdk"), "synth", "--quiet", "-c", f"config={manifest}", "-o", str(out)],
                    None,
                )
            )
        if "plain" not in skip:
            comparison.append(
                Case(
                    "plain",
                    "plain CDK, same topology (`bench/plain_app.py`)",
                    lambda _: [python, "bench/plain_app.py"],
                    cdk_context(),
                )
            )
        if "nag" not in skip:
            comparison.append(
                Case(
                    "nag",
                    "plain CDK + cdk-nag AwsSolutions",
                    lambda _: [python, "bench/plain_app.py"],
                    cdk_context(**{"bench:nag": True}),
                )
            )
        if "empty" not in skip:
            comparison.append(Case("empty", "empty CDK app (the floor)", lambda _: [python, "bench/empty_app.py"], cdk_context()))
        generated = []
        for count in sizes:
            path = work / f"services-{count}.yaml"
            path.write_text(generated_manifest(count))
            generated.append(
                (
                    count,
                    Case(
                        f"services-{count}",
                        f"{count} service{'' if count == 1 else 's'}",
                        lambda _: [python, "app.py"],
                        cdk_context(config=str(path)),
                    ),
                )
            )
        if "warm-up" not in skip:
            log("warm-up: empty app (file caches)")
            measure([python, "bench/empty_app.py"], cdk_context(), work / "warm-up")
        run_cases([*comparison, *(case for _, case in generated)], args.repeat, work, log)
    steps = make_test(log) if args.with_make_test else None
    info = machine(load_at_start)
    text = report(args, info, comparison, generated, steps)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    log(f"\nwrote {args.output}\n")
    log(text)
    failures = [case.label for case in [*comparison, *(c for _, c in generated)] if case.failed]
    if failures:
        log(f"failed synths: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
