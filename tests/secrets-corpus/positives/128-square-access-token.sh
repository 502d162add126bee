#!/bin/sh
export SERVICE_TOKEN="EAAAQEWeMI897bgW7Dw8XunH4lN7BaillxVa306LSVvm-oVLACXTQJKkVoUPrQoR"
set -eu
cd "$(dirname "$0")"
