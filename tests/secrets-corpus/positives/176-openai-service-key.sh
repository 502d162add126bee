#!/bin/sh
set -eu
export SERVICE_TOKEN="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"
cd "$(dirname "$0")"
