export SERVICE_TOKEN="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"
#!/bin/sh
set -eu
cd "$(dirname "$0")"
