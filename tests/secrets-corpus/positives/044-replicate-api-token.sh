#!/bin/sh
export SERVICE_TOKEN="r8_TCJ4jC3jrAApjbrK1svZkqFguD5EhjGdO5YQ7"
set -eu
cd "$(dirname "$0")"
