#!/bin/sh
export SERVICE_TOKEN="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"
set -eu
cd "$(dirname "$0")"
