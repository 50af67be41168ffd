#!/usr/bin/env bash
# Checks a built .deb as a user's machine would meet it (packaging/expertscope.sh package
# runs it; CI too):
#   1. the validators: desktop-file-validate, appstreamcli, lintian (no errors), man pages
#   2. unpacked into a scratch root (dpkg -x): the installed expertscope-cli describes the
#      installed demo model, and the installed GUI starts under Xvfb on a fresh account,
#      builds the demo project into that account's data folder and shows its window; the
#      install tree is left exactly as it was (it may be read-only)
#   3. in CI, as root: a real install (apt), the MIME type registered, and a removal and
#      purge that leave none of its files behind
#   packaging/check-package.sh PACKAGE.deb [WORKDIR]
set -euo pipefail
# UTF-8 whatever the machine's locale: xwininfo prints a title it cannot convert (the
# window's has a non-ASCII dash) as a conversion failure instead.
export LC_ALL=C.UTF-8
deb=$(realpath "$1")
work=${2:-$(dirname "$deb")/package-check}
rm -rf "$work"; mkdir -p "$work"
say() { echo "package-check: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# 1. Validators, on the files as the package holds them.
root="$work/root"
dpkg -x "$deb" "$root"
desktop-file-validate "$root/usr/share/applications/org.expertscope.Expertscope.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net "$root/usr/share/metainfo/org.expertscope.Expertscope.metainfo.xml" || fail "appstreamcli validate"
# No errors and no warnings (as root lintian only notes that it is not recommended).
lintian_rc=0
lintian --fail-on error,warning --tag-display-limit 0 "$deb" > "$work/lintian.txt" 2>&1 || lintian_rc=$?
grep -v '^running with root privileges' "$work/lintian.txt" >&2 || true
[ "$lintian_rc" -eq 0 ] || fail "lintian reports errors or warnings"
for page in "$root"/usr/share/man/man1/*.1.gz; do
  warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null || true)
  [ -z "$warnings" ] || fail "man page $page: $warnings"
done
say "validators passed (lintian: $(grep -c '^[EW]:' "$work/lintian.txt" || true) errors and warnings)"

# 2. The unpacked tree, read-only in spirit: nothing may be written into it.
find "$root" -type f -print0 | sort -z | xargs -0 sha256sum > "$work/tree-before.txt"
cli="$root/usr/bin/expertscope-cli"
"$cli" --version | grep -qx "expertscope-cli $(dpkg-deb -f "$deb" Version)" || fail "expertscope-cli --version"
"$cli" info --model "$root/usr/share/expertscope/demo/model" > "$work/info.json" || fail "expertscope-cli info on the installed demo model"
grep -q '"family": "llama"' "$work/info.json" || fail "info did not describe the demo model: $(head -c 300 "$work/info.json")"
say "installed expertscope-cli info: $(tr -d '\n ' < "$work/info.json" | head -c 120)..."

# The GUI on a fresh account: its first start builds the demo into the account's data folder.
account="$work/account"; mkdir -p "$account"
export HOME="$account" XDG_CONFIG_HOME="$account/.config" XDG_DATA_HOME="$account/.local/share" \
       XDG_CACHE_HOME="$account/.cache" XDG_RUNTIME_DIR="$account/run"
mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
demo="$XDG_DATA_HOME/Expertscope/Expertscope/demo.esproj"
cat > "$work/gui-start.sh" <<'GUI'
#!/usr/bin/env bash
# Inside Xvfb: start the installed GUI, wait for the demo project and the window, then quit.
set -u
"$1" > "$2/gui.log" 2>&1 & app=$!
for _ in $(seq 1 600); do
  kill -0 "$app" 2>/dev/null || { echo "the application exited early" >&2; exit 1; }
  # The main window titled with the demo project ("demo.esproj – Expertscope"): built, then opened.
  if [ -f "$3" ] && xwininfo -root -tree | grep -q '"demo\.esproj.*Expertscope"'; then
    xwininfo -root -tree | grep '"demo\.esproj.*Expertscope"' > "$2/windows.txt"
    sleep 3  # the demo opens in the window; then it must still be running
    kill -0 "$app" 2>/dev/null || { echo "the application exited after opening the demo" >&2; exit 1; }
    kill -TERM "$app"; wait "$app" 2>/dev/null
    exit 0
  fi
  sleep 0.5
done
echo "no demo project or window after 300 s" >&2
kill -KILL "$app"; exit 1
GUI
xvfb-run -a -s "-screen 0 1280x720x24" bash "$work/gui-start.sh" "$root/usr/bin/expertscope" "$work" "$demo" \
  || fail "the installed GUI did not start ($(tail -5 "$work/gui.log" 2>/dev/null))"
[ -f "$demo" ] || fail "no demo project in the account's data folder"
"$cli" experts --project "$demo" --concept tree --top 1 > /dev/null || fail "the demo project built on first start has no results"
say "installed GUI started; demo project built at ${demo#"$work"/} ($(du -h "$demo" | cut -f1)); window: $(head -1 "$work/windows.txt" | sed 's/^ *//' | cut -c1-60)"
find "$root" -type f -print0 | sort -z | xargs -0 sha256sum > "$work/tree-after.txt"
[ "$(find "$root" -newer "$work/tree-before.txt" | head -1)" = "" ] && cmp -s "$work/tree-before.txt" "$work/tree-after.txt" \
  || fail "something was written into the install tree: $(diff "$work/tree-before.txt" "$work/tree-after.txt" | head -5)"

# 3. A real installation and removal, only where the machine is CI's to change.
if [ -n "${CI:-}" ] && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" > "$work/apt-install.log" 2>&1 \
    || fail "apt-get install: $(tail -5 "$work/apt-install.log")"
  dpkg -L expertscope | sort > "$work/files.txt"
  /usr/bin/expertscope-cli info --model /usr/share/expertscope/demo/model > /dev/null || fail "the installed /usr/bin/expertscope-cli"
  [ -f /usr/share/mime/application/x-expertscope-project.xml ] || fail "the .esproj MIME type was not registered"
  grep -q 'org.expertscope.Expertscope.desktop' /usr/share/applications/mimeinfo.cache 2>/dev/null \
    || say "note: no desktop database here (desktop-file-utils' trigger did not run)"
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -q expertscope > "$work/apt-purge.log" 2>&1 || fail "apt-get purge"
  left=$(while read -r f; do [ -f "$f" ] && echo "$f"; done < "$work/files.txt" || true)
  [ -z "$left" ] || fail "files left after purge: $left"
  [ ! -e /usr/share/mime/application/x-expertscope-project.xml ] || fail "the MIME type stayed registered after removal"
  say "installed with apt, MIME type registered, purged with nothing left"
fi
say "ok: $deb"
