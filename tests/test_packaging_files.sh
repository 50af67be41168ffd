#!/usr/bin/env bash
# The installed files' validators, in the ordinary suite (packaging/check-package.sh runs
# them again on the built .deb): desktop entry, AppStream metainfo, MIME package, and the
# man pages written from --help, which must document every command the CLI lists.
#   test_packaging_files.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
status=0
check() { if "$@" > "$tmp/out" 2>&1; then echo "ok   $*"; else echo "FAIL $*"; cat "$tmp/out"; status=1; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

check desktop-file-validate "$src/packaging/linux/org.expertscope.Expertscope.desktop"
check appstreamcli validate --no-net "$src/packaging/linux/org.expertscope.Expertscope.metainfo.xml"
# The MIME package, as shared-mime-info compiles it: *.esproj is ours.
mkdir -p "$tmp/mime/packages"
cp "$src/packaging/linux/expertscope-mime.xml" "$tmp/mime/packages/expertscope.xml"
check update-mime-database "$tmp/mime"
check grep -qx '[0-9]*:application/x-expertscope-project:\*\.esproj' "$tmp/mime/globs2"

for page in "$build"/packaging/man/expertscope.1.gz "$build"/packaging/man/expertscope-cli.1.gz; do
  [ -f "$page" ] || { echo "FAIL $page was not built"; status=1; continue; }
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null || true)
  if [ -z "$warnings" ]; then echo "ok   man --warnings $(basename "$page")"; else echo "FAIL $page: $warnings"; status=1; fi
done
# Every command in the CLI's own usage is a section of its man page.
commands=$("$build/app/expertscope-cli" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z]\+\) .*/\1/p')
[ "$(wc -l <<<"$commands")" -ge 10 ] || { echo "FAIL found only: $commands"; status=1; }
page=$(zcat "$build/packaging/man/expertscope-cli.1.gz")
for c in $commands; do
  grep -qx ".B $c" <<<"$page" || { echo "FAIL the man page lacks the command $c"; status=1; }
done
echo "man page commands: $(tr '\n' ' ' <<<"$commands")"
exit $status
