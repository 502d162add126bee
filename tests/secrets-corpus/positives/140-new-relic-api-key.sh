#!/bin/sh
set -eu
cd "$(dirname "$0")"
export SERVICE_TOKEN="NRAK-AFQLXQMZ3LGTGL470CMZZ1MX9SZ"
