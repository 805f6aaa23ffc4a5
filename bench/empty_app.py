#!/usr/bin/env python3
"""An empty CDK app: importing aws_cdk, starting jsii's node runtime and writing an empty assembly (the floor)."""

import aws_cdk as cdk

cdk.App().synth()
