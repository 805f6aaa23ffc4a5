#!/bin/sh
# One run of the nightly report: the date it covers, on stdout (the task's log group keeps it).
set -eu
echo "report for $(date -u +%F)"
