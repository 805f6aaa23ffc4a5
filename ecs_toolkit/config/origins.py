"""Where each value of a manifest was written: the file (the environment's own, or a base it extends) and the line.

The loader records an ``Origin`` for every key and list item while it reads and merges the files
(``overlays``), reports each problem at its value's origin, and hands the record to the validated
configuration (``EnvironmentConfig.origin_of``): a path written in a manifest is relative to the
file that wrote it, whichever file of the chain that is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

Location = tuple[str | int, ...]
"""A place in the manifest as a path of keys and list indexes (``("services", "api", "port")``)."""


@dataclass(frozen=True)
class Origin:
    """Where a value was written."""

    file: Path
    line: int


Origins = dict[Location, Origin]


def locate(origins: Origins, location: Location) -> Origin:
    """Where the deepest part of ``location`` that exists was written (the environment's first line if none does)."""
    for end in range(len(location), -1, -1):
        found = origins.get(location[:end])
        if found is not None:
            return found
    raise KeyError("origins without the document's root")  # the loader always records ()
