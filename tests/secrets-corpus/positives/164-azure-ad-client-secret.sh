#!/bin/sh
export SERVICE_TOKEN="Y3L8Q~Iy7xFfuT6lY1IU5jFIuqQtToDKr6AtTIok"
set -eu
cd "$(dirname "$0")"
