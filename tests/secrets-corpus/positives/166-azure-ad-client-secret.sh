#!/bin/sh
export SERVICE_TOKEN="iQt8Q~s2hK0G1TDFiy8JPbRwycqG6ePxkF2psCZh"
set -eu
cd "$(dirname "$0")"
