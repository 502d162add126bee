#!/bin/sh
set -eu
cd "$(dirname "$0")"
export SERVICE_TOKEN="ghs_ryn687neLfjVHq8xiM0OGr4hTxoF5415ZTVG"
