#!/bin/sh
set -eu
cd "$(dirname "$0")"
export SERVICE_TOKEN="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"
