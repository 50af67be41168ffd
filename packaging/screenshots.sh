#!/bin/sh
# Screenshots of the main views under Xvfb at 1600x1000, for review:
#   packaging/screenshots.sh [PROJECT] [OUTDIR] [WIDTHxHEIGHT]
# PROJECT defaults to the demo project, OUTDIR to build/screenshots.
set -eu
cd "$(dirname "$0")/.."
project=${1:-build/demo/demo.esproj}
out=${2:-build/screenshots}
cmake --build build -j2 --target expertscope-screenshots >/dev/null
size=${3:-1600x1000}
exec xvfb-run -a -s "-screen 0 ${size}x24" build/tests/expertscope-screenshots "$project" "$out" "$size"
