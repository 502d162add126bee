#!/bin/sh
export SERVICE_TOKEN="8662666203:AAGWEzolegZP4O6a88RWEWTiYIPjCHH8S9C"
set -eu
cd "$(dirname "$0")"
