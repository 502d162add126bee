export SERVICE_TOKEN="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"
#!/bin/sh
set -eu
cd "$(dirname "$0")"
