#!/bin/sh
set -eu
export SERVICE_TOKEN="dop_v1_0766bb31ed04d259b3717bd5c2d6a9a5f04c5503b11606e4644e0d4887d6e120"
cd "$(dirname "$0")"
