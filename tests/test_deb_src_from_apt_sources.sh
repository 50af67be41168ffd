#!/usr/bin/env bash
# packaging/deb-src-from-apt-sources.sh over fixture apt folders: both source formats, what
# must be ignored (comments, Enabled: no, other suffixes, cdrom:), what must not be repeated
# (existing deb-src entries), the mirror options that must be copied (Check-Valid-Until,
# Trusted, Allow-*), and exit 3 when there is nothing to derive from.
#   bash tests/test_deb_src_from_apt_sources.sh
set -uo pipefail
script=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/packaging/deb-src-from-apt-sources.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# check NAME EXPECTED_RC EXPECTED_STDOUT STDERR_SUBSTRING -- COMMAND...
check() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4; shift 5
  local out rc
  out=$("$@" 2>"$tmp/stderr"); rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    echo "FAIL $name: exit $rc, expected $want_rc; stderr: $(cat "$tmp/stderr")"; failures=$((failures + 1)); return
  fi
  if [ "$out" != "$want_out" ]; then
    echo "FAIL $name: output differs (< expected, > actual):"
    diff <(printf '%s\n' "$want_out") <(printf '%s\n' "$out")
    failures=$((failures + 1)); return
  fi
  if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$tmp/stderr"; then
    echo "FAIL $name: stderr lacks '$want_err': $(cat "$tmp/stderr")"; failures=$((failures + 1)); return
  fi
  echo "ok   $name"
}

# --- A machine with a bit of everything --------------------------------------------------
a=$tmp/full; mkdir -p "$a/sources.list.d"
cat >"$a/sources.list" <<'EOF'
# deb http://commented.example/debian bookworm main
deb [arch=amd64 signed-by=/x.gpg] http://127.0.0.1:3142/debian bookworm main contrib  # apt-cacher
deb http://127.0.0.1:3142/debian bookworm-updates main
deb-src http://127.0.0.1:3142/debian bookworm-updates main
deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 DVD Binary-1 20240210-11:28]/ bookworm contrib main
deb [ trusted=yes ] file:/srv/repo ./
EOF
cat >"$a/sources.list.d/debian.sources" <<'EOF'
# Two stanzas, then a disabled one.
Types: deb
URIs: http://snapshot.example/archive/debian/20250520T000000Z/
Suites: bookworm bookworm-updates
  bookworm-backports
Components: main non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
# a comment inside a stanza
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Enabled: no
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
EOF
cat >"$a/sources.list.d/local.sources" <<'EOF'
Types: deb
URIs: http://127.0.0.1:3142/debian-security
 http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGPL0BUBEADmW5NlOmyYqOo=
 -----END PGP PUBLIC KEY BLOCK-----
EOF
# A deb-src for one component of one suite: the rest of that deb entry is still wanted.
echo 'deb-src http://snapshot.example/archive/debian/20250520T000000Z bookworm main' \
  >"$a/sources.list.d/src.list"
echo 'deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main' \
  >"$a/sources.list.d/google-cloud-sdk.list.disabled-by-farm"
printf 'Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n' \
  >"$a/sources.list.d/nodesource.sources.disabled-by-farm"
echo 'deb http://saved.example/debian bookworm main' >"$a/sources.list.d/old.list.save"

expected_full='Types: deb-src
URIs: http://127.0.0.1:3142/debian
Suites: bookworm
Components: main contrib
Signed-By: /x.gpg

Types: deb-src
URIs: file:/srv/repo
Suites: ./
Trusted: yes

Types: deb-src
URIs: http://snapshot.example/archive/debian/20250520T000000Z/
Suites: bookworm
Components: non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://snapshot.example/archive/debian/20250520T000000Z/
Suites: bookworm-updates bookworm-backports
Components: main non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://127.0.0.1:3142/debian-security
Suites: bookworm-security
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGPL0BUBEADmW5NlOmyYqOo=
 -----END PGP PUBLIC KEY BLOCK-----

Types: deb-src
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGPL0BUBEADmW5NlOmyYqOo=
 -----END PGP PUBLIC KEY BLOCK-----'
check "mixed formats, folder as argument" 0 "$expected_full" "" -- bash "$script" "$a"
check "mixed formats, folder from EXPERTSCOPE_APT_ETC" 0 "$expected_full" "" -- \
  env EXPERTSCOPE_APT_ETC="$a" bash "$script"

# --- Only a deb822 file, as Debian 12 installs it, pointing at a local mirror -------------
b=$tmp/deb822-only; mkdir -p "$b/sources.list.d"
cat >"$b/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://127.0.0.1:3142/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
check "deb822 only, local mirror" 0 'Types: deb-src
URIs: http://127.0.0.1:3142/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' "" -- bash "$script" "$b"

# --- Snapshot and local mirrors: their options carried over, in deb822 spelling -------------
m=$tmp/mirror-options; mkdir -p "$m/sources.list.d"
echo 'deb [check-valid-until=no signed-by=/k.gpg] http://snapshot.debian.org/archive/debian/20250520T000000Z bookworm main' \
  >"$m/sources.list"
# Same URI and components as the trusted stanza, no Trusted: must stay a stanza of its own.
cat >"$m/sources.list.d/local.sources" <<'EOF'
Types: deb
URIs: http://127.0.0.1:3142/debian
Suites: bookworm
Components: main
Trusted: yes

Types: deb
URIs: http://127.0.0.1:3142/debian
Suites: bookworm-updates
Components: main
EOF
check "snapshot and local mirror options, not merged" 0 'Types: deb-src
URIs: http://snapshot.debian.org/archive/debian/20250520T000000Z
Suites: bookworm
Components: main
Signed-By: /k.gpg
Check-Valid-Until: no

Types: deb-src
URIs: http://127.0.0.1:3142/debian
Suites: bookworm
Components: main
Trusted: yes

Types: deb-src
URIs: http://127.0.0.1:3142/debian
Suites: bookworm-updates
Components: main' "" -- bash "$script" "$m"

# --- Every deb entry already has its deb-src: nothing printed, but not an error ----------
c=$tmp/covered; mkdir -p "$c"
printf 'deb http://127.0.0.1:3142/debian bookworm main\ndeb-src http://127.0.0.1:3142/debian/ bookworm main\n' \
  >"$c/sources.list"
check "all covered" 0 "" "already has a matching deb-src entry" -- bash "$script" "$c"

# --- Nothing to derive from: exit 3 --------------------------------------------------------
d=$tmp/empty; mkdir -p "$d"
check "empty folder" 3 "" "no apt source was found" -- bash "$script" "$d"
e=$tmp/only-ignored; mkdir -p "$e/sources.list.d"
cp "$a/sources.list.d/"*.disabled-by-farm "$e/sources.list.d/"
printf 'Types: deb\nEnabled: no\nURIs: http://x.example/debian\nSuites: bookworm\nComponents: main\n' \
  >"$e/sources.list.d/off.sources"
echo 'deb cdrom:[Debian 12]/ bookworm main' >"$e/sources.list"
check "only disabled, ignored and cdrom entries" 3 "" "no apt source was found" -- bash "$script" "$e"

if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
