#!/bin/sh
export SERVICE_TOKEN="r8_slxBc6AnrKli1lHXoTlmMf1f4MUFWrlniNQTO"
set -eu
cd "$(dirname "$0")"
