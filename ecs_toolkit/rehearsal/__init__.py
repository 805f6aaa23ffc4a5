"""Deploy rehearsal: bootstrap and deploy the synthesized app into a local AWS emulator, then verify it.

The rehearsal drives the pinned CDK CLI as a subprocess and never imports aws_cdk.
"""
