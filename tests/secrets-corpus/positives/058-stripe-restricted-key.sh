#!/bin/sh
set -eu
cd "$(dirname "$0")"
export SERVICE_TOKEN="rk_live_5IGjKmAMhjkHWGgbgek8HF0D"
