#!/bin/sh
export SERVICE_TOKEN="EAAAccD4l6ExzORdqRVijcpguLJMlA4JahKDNl9sW7W6zCJIFrNYfCmB4V7S_dTZ"
set -eu
cd "$(dirname "$0")"
