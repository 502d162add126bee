#!/bin/sh
export SERVICE_TOKEN="NRAK-7N4VG7JJ9OVSTFRNZA1OY3A2YAG"
set -eu
cd "$(dirname "$0")"
