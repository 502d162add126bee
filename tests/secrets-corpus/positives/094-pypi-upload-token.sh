#!/bin/sh
export SERVICE_TOKEN="pypi-AgEIcHlwaS5vcmcLcciTA1bHTuOTNnfwT1d6nRntU8_kRO8qnGXATGcyJ3Xu3rrboBWdbl7fAjPR7_AaFATWnmqz464ig8vZE88sp-WiE"
set -eu
cd "$(dirname "$0")"
