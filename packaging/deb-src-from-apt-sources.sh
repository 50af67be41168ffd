#!/usr/bin/env bash
# Prints deb822 "Types: deb-src" stanzas for this machine's enabled "deb" entries, with the
# same URIs, Suites, Components and Signed-By, so source packages come from the mirror apt
# already uses (a local apt-cacher, a snapshot mirror) rather than from a mirror named here.
# Check-Valid-Until, Trusted and the Allow-* options are copied too: apt keeps them per
# URI and suite for deb and deb-src alike, so a twin without them is refused as conflicting
# or fails validation (a snapshot's expired Release, an unsigned local mirror).
#   packaging/deb-src-from-apt-sources.sh [APT_ETC]
# APT_ETC (default: $EXPERTSCOPE_APT_ETC, else /etc/apt) holds sources.list and
# sources.list.d/. Read like apt does: sources.list and sources.list.d/*.list in one-line
# format, sources.list.d/*.sources in deb822; other files (*.disabled-by-farm, *.save),
# comments and "Enabled: no" stanzas are ignored. Which suites publish sources cannot be
# known offline, so every deb entry is mirrored, except cdrom: ones and the suite/component
# pairs that already have a deb-src entry.
# Exit status: 0 with the stanzas printed (or nothing, when every deb entry already has its
# deb-src; a note on stderr says so), 3 when no deb entry was found at all.
set -euo pipefail
export LC_ALL=C   # sorted file order and ASCII case folding, whatever the caller's locale
me=${0##*/}
etc=${1:-${EXPERTSCOPE_APT_ETC:-/etc/apt}}

# One record per (file entry, type): parallel arrays, lists space-separated.
# r_opts holds the copied options as ready "Field: value" lines.
r_type=(); r_uris=(); r_suites=(); r_comps=(); r_signed=(); r_opts=()
add_record() {
  r_type+=("$1"); r_uris+=("$2"); r_suites+=("$3"); r_comps+=("$4"); r_signed+=("$5"); r_opts+=("$6")
}
words() { local -a w; read -r -d '' -a w <<<"$1" || true; echo "${w[*]}"; }  # folds lines/blanks

# deb822 names; the one-line names are the same in lower case.
mirror_opts=(Check-Valid-Until Trusted Allow-Insecure Allow-Weak Allow-Downgrade-To-Insecure)
opt_lines() {  # $1: name of an array keyed by lower-case option name; prints "Field: value" lines
  local -n vals=$1
  local name v out=""
  for name in "${mirror_opts[@]}"; do
    v=$(words "${vals[${name,,}]:-}")
    if [ -n "$v" ]; then out+="${out:+$'\n'}$name: $v"; fi
  done
  printf '%s' "$out"
}

parse_one_line() {  # deb [opt=val ...] URI suite [component...]
  local file=$1 line type rest opts opt key signed
  local -a w
  local -A o
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}                      # apt ends a line at '#'
    read -r type rest <<<"$line" || true
    case "$type" in deb|deb-src) ;; *) continue ;; esac
    signed=""; o=()
    if [[ $rest == \[* ]]; then
      if [[ $rest != *\]* ]]; then echo "$me: $file: unclosed '[' skipped: $line" >&2; continue; fi
      opts=${rest%%]*}; opts=${opts#[}; rest=${rest#*]}
      for opt in $opts; do
        [[ $opt == *=* ]] || continue
        key=${opt%%=*}; o[${key,,}]=${opt#*=}
      done
      # signed-by lists several keys with commas here, with spaces in deb822
      signed=${o[signed-by]:-}; signed=${signed//,/ }
    fi
    read -r -a w <<<"$rest" || true
    if [ ${#w[@]} -lt 2 ]; then echo "$me: $file: incomplete entry skipped: $line" >&2; continue; fi
    add_record "$type" "${w[0]}" "${w[1]}" "${w[*]:2}" "$signed" "$(opt_lines o)"
  done <"$file"
}

parse_deb822() {  # stanzas separated by blank lines; "Field: value", continuation lines indented
  local file=$1 line key last="" type
  local -A f=()
  flush() {
    if [ ${#f[@]} -gt 0 ]; then
      local enabled=${f[enabled]:-yes}
      case "${enabled,,}" in
        no|false|off|without|disable|0) ;;   # the values apt reads as false
        *) if [ -z "${f[uris]:-}" ] || [ -z "${f[suites]:-}" ]; then
             echo "$me: $file: stanza without URIs or Suites skipped" >&2
           else
             for type in $(words "${f[types]:-}"); do
               add_record "$type" "$(words "${f[uris]}")" "$(words "${f[suites]}")" \
                 "$(words "${f[components]:-}")" "${f[signed-by]:-}" "$(opt_lines f)"
             done
           fi ;;
      esac
    fi
    f=(); last=""
  }
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^[[:space:]]*$ ]]; then flush
    elif [[ $line =~ ^[[:space:]]*# ]]; then continue   # comments may sit inside a stanza
    elif [[ $line == [[:space:]]* ]]; then
      # Continuation: kept verbatim, since Signed-By may hold an inline key that must survive.
      if [ -n "$last" ]; then f[$last]+=$'\n'"$line"; fi
    elif [[ $line == *:* ]]; then
      key=${line%%:*}; key=${key,,}; key=${key//[[:space:]]/}
      f[$key]=$(words "${line#*:}"); last=$key
    fi
  done <"$file"
  flush
}

if [ -f "$etc/sources.list" ]; then parse_one_line "$etc/sources.list"; fi
for file in "$etc"/sources.list.d/*; do
  [ -f "$file" ] || continue
  # apt itself skips names outside this pattern, e.g. foo.list.disabled-by-farm, foo.list.save
  [[ ${file##*/} =~ ^[A-Za-z0-9_.-]+\.(list|sources)$ ]] || continue
  case "$file" in
    *.list) parse_one_line "$file" ;;
    *.sources) parse_deb822 "$file" ;;
  esac
done

set -f   # from here on, lists are split on blanks; a '*' in a value must stay as it is

# What already has a source entry: "URI|suite|component" (component empty for flat repositories).
declare -A covered=()
norm() { local u=$1; while [[ $u == */ ]]; do u=${u%/}; done; echo "$u"; }
for i in "${!r_type[@]}"; do
  [ "${r_type[$i]}" = deb-src ] || continue
  for uri in ${r_uris[$i]}; do
    u=$(norm "$uri")
    for suite in ${r_suites[$i]}; do
      if [ -z "${r_comps[$i]}" ]; then covered["$u|$suite|"]=1
      else for c in ${r_comps[$i]}; do covered["$u|$suite|$c"]=1; done; fi
    done
  done
done

found=0; printed=0
for i in "${!r_type[@]}"; do
  [ "${r_type[$i]}" = deb ] || continue
  for uri in ${r_uris[$i]}; do
    [[ $uri == cdrom:* ]] && continue     # a disc has no network mirror to ask for sources
    found=1
    u=$(norm "$uri")
    # Suites grouped by the components they still lack, so each stanza is exact; only within
    # this entry, so entries whose options differ never share a stanza.
    declare -A group=(); order=()
    for suite in ${r_suites[$i]}; do
      if [ -z "${r_comps[$i]}" ]; then
        [ -n "${covered["$u|$suite|"]:-}" ] && continue
        rem=""; covered["$u|$suite|"]=1
      else
        rem=""
        for c in ${r_comps[$i]}; do
          [ -n "${covered["$u|$suite|$c"]:-}" ] && continue
          rem+="${rem:+ }$c"; covered["$u|$suite|$c"]=1   # also drops duplicate deb entries
        done
        [ -n "$rem" ] || continue
      fi
      [ -n "${group["=$rem"]+x}" ] || order+=("$rem")
      group["=$rem"]+="${group["=$rem"]:+ }$suite"
    done
    for rem in ${order[@]+"${order[@]}"}; do
      [ $printed -eq 0 ] || echo
      printed=$((printed + 1))
      echo "Types: deb-src"
      echo "URIs: $uri"
      echo "Suites: ${group["=$rem"]}"
      [ -z "$rem" ] || echo "Components: $rem"
      signed=${r_signed[$i]}
      if [[ $signed == $'\n'* ]]; then echo "Signed-By:$signed"      # inline key from line 2 on
      elif [ -n "$signed" ]; then echo "Signed-By: $signed"; fi
      [ -z "${r_opts[$i]}" ] || echo "${r_opts[$i]}"
    done
    unset group
  done
done

if [ $found -eq 0 ]; then
  echo "$me: no apt source was found in $etc to derive the source (deb-src) entries from" >&2
  exit 3
fi
[ $printed -gt 0 ] || echo "$me: every deb entry in $etc already has a matching deb-src entry" >&2
