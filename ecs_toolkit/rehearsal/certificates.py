"""Stand-in certificates: the ACM certificates a manifest names exist in the emulator under the same ARNs.

A real account holds the certificate (``ecs-toolkit preflight`` checks that it is ISSUED); the
emulator starts empty, so an HTTPS listener, a TLS NLB listener and the redirect next to them would
fail to deploy. moto's ImportCertificate only re-imports under an ARN it already has, so the
rehearsal generates a self-signed certificate with moto's own generator and places it in the
emulator's ACM (this process) under the ARN the templates name, ISSUED. The report lists each one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from moto.acm.models import CertBundle, acm_backends

from ecs_toolkit.assembly import Stack

ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):certificate/[A-Za-z0-9-]+$")
STAND_IN_DOMAIN = "rehearsal.invalid"
"""The stand-ins' subject: a reserved name that can never be a real site."""


def named_certificates(stacks: Iterable[Stack]) -> list[str]:
    """Every ACM certificate ARN the templates name (listeners, listener certificates), in order, once each."""
    found: dict[str, None] = {}
    for stack in stacks:
        for resource in stack.resources.values():
            for value in _strings(resource.properties):
                if ACM_ARN.match(value):
                    found.setdefault(value)
    return list(found)


def provide(arns: Iterable[str]) -> list[str]:
    """Put an ISSUED self-signed certificate under each ARN into the emulator's ACM; the ARNs provided."""
    provided = []
    for arn in arns:
        match = ACM_ARN.match(arn)
        if match is None:
            continue
        account, region = match["account"], match["region"]
        generated = CertBundle.generate_cert(STAND_IN_DOMAIN, account_id=account, region=region)
        backend = acm_backends[account][region]
        backend._certificates[arn] = CertBundle(  # moto keeps certificates by ARN; its API cannot choose one
            account_id=account,
            certificate=generated.cert,
            private_key=generated.key,
            region=region,
            arn=arn,
            cert_type="IMPORTED",
            cert_status="ISSUED",
        )
        provided.append(arn)
    return provided


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
