export SERVICE_TOKEN="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"
#!/bin/sh
set -eu
cd "$(dirname "$0")"
