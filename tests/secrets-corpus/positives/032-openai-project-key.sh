#!/bin/sh
export SERVICE_TOKEN="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"
set -eu
cd "$(dirname "$0")"
