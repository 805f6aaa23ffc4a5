"""Operations on a deployed environment with boto3 (never aws_cdk): see ``cli.py`` for the commands.

Every helper takes its boto3 clients as arguments; ``sessions.ClientFactory`` makes them for the CLI.
"""
