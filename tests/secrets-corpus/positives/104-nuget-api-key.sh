export SERVICE_TOKEN="oy2lv0bxkpajq3499yiqp9hr0ji7iudko1kf20qojr0gd1"
#!/bin/sh
set -eu
cd "$(dirname "$0")"
