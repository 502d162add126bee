#!/bin/sh
export SERVICE_TOKEN="pypi-AgEIcHlwaS5vcmcW-UJPu-gSrzhuNvNgMXUxIN8zP4ZnHUYOX8IoA50uOftJ80jJYUYKpH5bfNTUHFim0oNvwpZYRZY-RSxs0KrBRi0ia"
set -eu
cd "$(dirname "$0")"
