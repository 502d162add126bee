#!/bin/sh
set -eu
cd "$(dirname "$0")"
export SERVICE_TOKEN="rk_live_OkHs0GnG5mAldOKMgwKOOUcS"
