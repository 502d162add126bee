#!/bin/sh
export SERVICE_TOKEN="dop_v1_dabc4e01fbcd9504bca7a5c59340afef8b0baf3a8c80bc2b08a9f5c026614497"
set -eu
cd "$(dirname "$0")"
