#!/bin/sh
# Builds the rabbitmq-c baseline benchmark.
#   Tests/Load/c/build.sh [OUT]
# OUT is relative to the current directory; default: amqp_baseline next to
# this script. Needs librabbitmq-dev (rabbitmq-c >= 0.11).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-"$here/amqp_baseline"}
cc -std=c99 -Wall -Wextra -O2 -o "$OUT" "$here/amqp_baseline.c" -lrabbitmq
