"""Resolve template values into what the deployed resources should show.

The fold over intrinsics is the shared one (``ecs_toolkit.assembly.intrinsics``); here its leaves
are bound to what the emulator deployed: ``Ref`` to a resource is its physical id, an import is
the account's export, pseudo parameters are the rehearsal's account and region, and a few
``Fn::GetAtt`` follow from the physical id (a group's id, a role's ARN, a VPC's literal CIDR).
Everything else (most ``Fn::GetAtt``, conditions) is ``UNRESOLVED``, and a check skips it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecs_toolkit.assembly.intrinsics import Intrinsics, Unknown
from ecs_toolkit.rehearsal.server import DEFAULT_ACCOUNT, DEFAULT_REGION

UNRESOLVED: Any = Unknown("not known from the deployed stack")
NO_VALUE: Any = None
PHYSICAL_ID_ATTRIBUTES = {("AWS::EC2::SecurityGroup", "GroupId"), ("AWS::EC2::Subnet", "SubnetId"), ("AWS::EC2::VPC", "VpcId")}
"""Attributes that equal the resource's physical id."""
PROPERTY_ATTRIBUTES = {("AWS::EC2::VPC", "CidrBlock"): "CidrBlock"}
"""Attributes that equal one of the resource's own template properties (when that is a literal)."""


@dataclass(frozen=True)
class StackValues(Intrinsics):
    """What a deployed stack knows: its name, parameters, physical ids, and the account's exports."""

    name: str
    types: Mapping[str, str]
    physical_ids: Mapping[str, str]
    parameters: Mapping[str, str] = field(default_factory=dict)
    exports: Mapping[str, str] = field(default_factory=dict)
    account: str = DEFAULT_ACCOUNT
    region: str = DEFAULT_REGION
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Each resource's template properties, for ``PROPERTY_ATTRIBUTES``."""

    def resolve(self, value: Any) -> Any:
        return self.fold(self.name, value)

    def unknown(self, reason: str) -> Any:
        return UNRESOLVED

    def fold_list(self, stack: str, items: list[Any]) -> Any:
        """A list with any unresolved item is unresolved as a whole: checks compare whole lists."""
        folded = [self.fold(stack, item) for item in items]
        return UNRESOLVED if any(item is UNRESOLVED for item in folded) else folded

    def ref(self, stack: str, name: str) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.name,
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical_ids.get(name) or UNRESOLVED  # an empty id (moto's EFS access points) is not a value

    def get_att(self, stack: str, logical_id: str, attribute: str) -> Any:
        physical_id = self.physical_ids.get(logical_id)
        if not physical_id:
            return UNRESOLVED
        kind = self.types.get(logical_id)
        if (kind, attribute) in PHYSICAL_ID_ATTRIBUTES:
            return physical_id
        source = PROPERTY_ATTRIBUTES.get((kind, attribute))  # type: ignore[arg-type]
        if source is not None:
            value = self.properties.get(logical_id, {}).get(source)
            return value if isinstance(value, str) else UNRESOLVED
        if (kind, attribute) == ("AWS::IAM::Role", "Arn"):
            return f"arn:aws:iam::{self.account}:role/{physical_id}"
        return UNRESOLVED

    def import_value(self, stack: str, name: str) -> Any:
        return self.exports.get(name, UNRESOLVED)
