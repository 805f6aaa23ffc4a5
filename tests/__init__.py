"""Test package. Runs before any test module imports aws_cdk, so jsii starts on the Node 22 from package.json."""

import os
from pathlib import Path

_NODE_BIN = Path(__file__).resolve().parents[1] / "node_modules" / ".bin"
if str(_NODE_BIN) not in os.environ["PATH"].split(os.pathsep):
    os.environ["PATH"] = f"{_NODE_BIN}{os.pathsep}{os.environ['PATH']}"
