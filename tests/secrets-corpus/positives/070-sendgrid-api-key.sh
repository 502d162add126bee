#!/bin/sh
export SERVICE_TOKEN="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"
set -eu
cd "$(dirname "$0")"
