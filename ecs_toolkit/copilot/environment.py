"""The Copilot environment manifest (``copilot/environments/<env>/manifest.yml``) as the toolkit's environment
settings: network, load balancer and cluster."""

from __future__ import annotations

from typing import Any

from ecs_toolkit.copilot.tracking import Fields


def map_environment(fields: Fields, *, needs_load_balancer: bool) -> dict[str, Any]:
    """``network``, ``cluster`` and ``load_balancer`` of the written manifest."""
    fields.get("name")
    fields.get("type")
    out: dict[str, Any] = {}
    network = _network(fields)
    if network:
        out["network"] = network
    out["cluster"] = {"container_insights": _insights(fields), "capacity": {"fargate": True}}
    load_balancer = _load_balancer(fields)
    if needs_load_balancer or load_balancer:
        out["load_balancer"] = load_balancer
    return out


def _network(fields: Fields) -> dict[str, Any]:
    network: dict[str, Any] = {}
    cidr = fields.get("network", "vpc", "cidr")
    if cidr is not None:
        network["cidr"] = str(cidr)
    subnets = fields.peek("network", "vpc", "subnets")
    zones: list[str] = []
    ids: dict[str, list[str]] = {"public": [], "private": []}
    if isinstance(subnets, dict):
        for tier in ("public", "private"):
            entries = subnets.get(tier)
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    continue
                at = ("network", "vpc", "subnets", tier, str(index))
                if "az" in entry:
                    zone = str(fields.get(*at, "az"))
                    if zone not in zones:
                        zones.append(zone)
                if "id" in entry:
                    ids[tier].append(str(fields.get(*at, "id")))
    vpc_id = fields.get("network", "vpc", "id")
    if vpc_id is not None:
        existing: dict[str, Any] = {"vpc_id": str(vpc_id)}
        if cidr is not None:
            existing["cidr"] = network.pop("cidr")
        if zones:
            existing["availability_zones"] = zones
        existing["private_subnet_ids"] = ids["private"]
        if ids["public"]:
            existing["public_subnet_ids"] = ids["public"]
        network["existing"] = existing
        missing = [name for name in ("cidr", "availability_zones") if name not in existing]
        if missing:
            fields.note(
                ("network", "vpc", "id"),
                f"converted: network.existing needs {' and '.join(missing)}, which the Copilot manifest does not "
                "give: add them (the toolkit looks nothing up at synth)",
            )
    elif zones:
        network["azs"] = zones
    flow_logs = fields.peek("network", "vpc", "flow_logs")
    if vpc_id is not None and flow_logs is not None:
        fields.drop(
            ("network", "vpc", "flow_logs"),
            "the toolkit imports an existing VPC as it is and adds no flow logs to it: turn them on where the VPC "
            "is managed (Copilot's flow log goes with Copilot's environment stack)",
        )
    elif flow_logs is True or isinstance(flow_logs, dict):
        fields.get("network", "vpc", "flow_logs")
        network["flow_logs"] = True
        if isinstance(flow_logs, dict) and "retention" in flow_logs:
            network["flow_log_retention_days"] = int(flow_logs["retention"])
    elif flow_logs is False:
        fields.get("network", "vpc", "flow_logs")
        network["flow_logs"] = False
    return network


def _insights(fields: Fields) -> str:
    value = fields.get("observability", "container_insights")
    if value is True:
        return "enabled"
    if value == "enhanced":
        return "enhanced"
    return "disabled"


def _load_balancer(fields: Fields) -> dict[str, Any]:
    load_balancer: dict[str, Any] = {}
    tiers = ("public",) if fields.peek("http", "public") is not None else ("private",)
    for tier in tiers:
        certificates = fields.peek("http", tier, "certificates")
        if isinstance(certificates, list) and certificates:
            fields.get("http", tier, "certificates", "0")
            load_balancer["certificate_arn"] = str(certificates[0])
            for index in range(1, len(certificates)):
                fields.drop(
                    ("http", tier, "certificates", str(index)),
                    "the HTTPS listener takes one certificate (load_balancer.certificate_arn); add the others to it by hand",
                )
        access_logs = fields.peek("http", tier, "access_logs")
        if access_logs is not None:
            fields.get("http", tier, "access_logs")
            fields.note(
                ("http", tier, "access_logs"), "converted: the load balancer always writes access logs to a bucket of its own"
            )
    private = fields.peek("http", "private")
    if isinstance(private, dict) and tiers == ("public",):
        for key in private:
            fields.drop(
                ("http", "private", key),
                "the toolkit makes one load balancer per environment, and this one is public: the internal load "
                "balancer's settings are not carried over",
            )
    elif isinstance(private, dict):
        fields.used.add(("http", "private"))
        for key in private:
            if key not in ("certificates", "access_logs"):
                fields.drop(("http", "private", key))
        load_balancer["public"] = False
    return load_balancer
