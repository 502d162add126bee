#!/bin/sh
export SERVICE_TOKEN="ghs_7BWr2drgd1QsO7jprBGumXxY9B4bZW31irFf"
set -eu
cd "$(dirname "$0")"
