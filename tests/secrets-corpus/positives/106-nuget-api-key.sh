#!/bin/sh
export SERVICE_TOKEN="oy2o1fn80zioxxy5xionrhc6iz0e43v8ww1ul4bkzxhs9n"
set -eu
cd "$(dirname "$0")"
