export SERVICE_TOKEN="5856408309:AAHhwNJPGEH4l-lzq2LVf4WUfL03GTEXqyV"
#!/bin/sh
set -eu
cd "$(dirname "$0")"
