#!/usr/bin/env bash
# Installs everything Expertscope needs on Debian 12 and builds the one dependency that
# cannot come from a binary package (static sentencepiece, see README "Why sentencepiece
# is built here"). Idempotent: a second run only checks.
#   packaging/setup-debian.sh [-y|--yes]
# Before changing anything it prints its plan (packages, deb-src file, BLAS switch,
# sentencepiece build); from a terminal it then asks, unless -y, CI or EXPERTSCOPE_ASSUME_YES=1.
set -euo pipefail

assume_yes=""
for arg in "$@"; do
  case "$arg" in
    -y|--yes) assume_yes=1 ;;
    *) echo "usage: $0 [-y|--yes]" >&2; exit 2 ;;
  esac
done
if [ "${EXPERTSCOPE_ASSUME_YES:-}" = 1 ] || [ -n "${CI:-}" ]; then assume_yes=1; fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps="$here/.deps"                       # git-ignored; holds the built sentencepiece
spm_prefix="$deps/sentencepiece"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

packages=(
  build-essential cmake ninja-build ccache pkg-config dpkg-dev
  clang-14 libclang-rt-14-dev llvm-14
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools
  qt6-l10n-tools qt6-translations-l10n libqt6sql6-sqlite libqt6opengl6-dev libgl-dev
  libtorch-dev libopenblas0-openmp
  sqlite3 libsqlite3-dev
  xvfb xauth fonts-dejavu-core
  wordnet-base
  python3
  desktop-file-utils appstream lintian x11-utils shared-mime-info  # packaging checks
  munge slurmctld slurmd slurm-client  # tests/test_slurm.sh runs a private one-node Slurm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Source entries are needed to fetch Debian's own sentencepiece source. They are derived
# from this machine's deb entries, so they go through the same mirror (apt-cacher, snapshot).
# grep without -q: an early exit would make apt-cache die of SIGPIPE, which pipefail reports.
src_list=/etc/apt/sources.list.d/expertscope-deb-src.sources
need_spm=""; [ -f "$spm_prefix/lib/libsentencepiece_train.a" ] || need_spm=1
need_update=""; src_content=""
if [ -n "$need_spm" ] && ! apt-cache showsrc sentencepiece 2>/dev/null | grep '^Package:' >/dev/null; then
  need_update=1
  if [ ! -f "$src_list" ]; then
    rc=0; src_content=$(bash "$here/packaging/deb-src-from-apt-sources.sh") || rc=$?
    if [ "$rc" -ne 0 ]; then
      echo "setup: cannot derive deb-src entries from this machine's apt sources (see above)." >&2
      echo "setup: add a deb-src entry for your Debian mirror (e.g. a 'deb-src URI bookworm main' line" >&2
      echo "setup: in /etc/apt/sources.list, or a Types: deb-src stanza in $src_list), then run again." >&2
      exit 1
    fi
    if [ -n "$src_content" ]; then
      echo "setup: deb-src entries will use $(sed -n 's/^URIs: //p' <<<"$src_content" | sort -u | paste -sd' ')" >&2
    fi
  fi
fi

# LibTorch links the generic libblas.so.3; make it OpenBLAS's OpenMP build: the reference
# BLAS is ~30x slower, and the OpenMP build follows each thread's OpenMP setting, which the
# collection workers use to run single-threaded (see README "Performance").
blas_alt=libblas.so.3-x86_64-linux-gnu
blas_now() { update-alternatives --query "$blas_alt" 2>/dev/null | awk '/^Value:/{print $2}' || true; }
need_blas=""; case "$(blas_now)" in *openblas-openmp*) ;; *) need_blas=1 ;; esac

# The plan, printed before anything changes (also when not asking, so logs show it).
if [ ${#missing[@]} -gt 0 ] || [ -n "$need_update" ] || [ -n "$need_blas" ] || [ -n "$need_spm" ]; then
  {
    echo "setup: plan${sudo:+ (system changes through sudo)}:"
    if [ ${#missing[@]} -gt 0 ]; then
      echo "  - install these Debian packages (apt-get update, then apt-get install --no-install-recommends):"
      echo "      ${missing[*]}"
    else
      echo "  - Debian packages: none to install"
    fi
    if [ -n "$src_content" ]; then
      echo "  - add $src_list (source entries for Debian's sentencepiece source), containing:"
      while IFS= read -r line; do echo "${line:+      $line}"; done <<<"$src_content"
    elif [ -n "$need_update" ]; then
      echo "  - deb-src file: none to add; apt-get update to read the source entries already configured"
    else
      echo "  - deb-src file: not needed"
    fi
    if [ -n "$need_blas" ]; then
      echo "  - switch the libblas.so.3 alternative to OpenBLAS (OpenMP build), now: $(blas_now | grep . || echo none)"
    else
      echo "  - libblas.so.3: already OpenBLAS (OpenMP build), unchanged"
    fi
    if [ -n "$need_spm" ]; then
      echo "  - build a static sentencepiece from Debian's source package into $spm_prefix"
    else
      echo "  - sentencepiece: already built in $spm_prefix"
    fi
  }
  if [ -t 0 ] && [ -z "$assume_yes" ]; then
    answer=""; read -r -p "Proceed? [y/N] " answer || true
    case "${answer,,}" in
      y|yes) ;;
      *) echo "setup: stopped; nothing changed" >&2; exit 1 ;;
    esac
  fi
fi

if [ -n "$src_content" ]; then
  printf '%s\n' "$src_content" | $sudo tee "$src_list" >/dev/null
fi
if [ ${#missing[@]} -gt 0 ] || [ -n "$need_update" ]; then
  echo "setup: installing ${missing[*]:-(nothing; reading source entries)}"
  $sudo apt-get update -q
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

# Asked again: installing libopenblas0-openmp may have chosen it already.
if [ -n "$need_blas" ]; then
  case "$(blas_now)" in
    *openblas-openmp*) ;;
    *) $sudo update-alternatives --set "$blas_alt" /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 ;;
  esac
fi

# sentencepiece, static, with its private protobuf hidden (Debian's shared library
# carries protobuf 3.14 and crashes LibTorch's protobuf 3.21 before main()).
if [ -n "$need_spm" ]; then
  echo "setup: building static sentencepiece from Debian's source package"
  work="$deps/src"
  rm -rf "$work"; mkdir -p "$work"
  (cd "$work" && apt-get source -q --download-only sentencepiece=0.1.97-3 >/dev/null 2>&1 \
     || apt-get source -q --download-only sentencepiece)
  (cd "$work" && dpkg-source -x --no-check ./sentencepiece_*.dsc spm >/dev/null)
  # Debian patches the static targets away; undo just that patch.
  (cd "$work/spm" && patch -R -p1 --quiet < debian/patches/disable-static-library.patch)
  cmake -S "$work/spm" -B "$work/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$spm_prefix" \
    -DSPM_ENABLE_SHARED=OFF -DSPM_USE_BUILTIN_PROTOBUF=ON -DSPM_ENABLE_TCMALLOC=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DCMAKE_CXX_FLAGS="-fvisibility=hidden -fvisibility-inlines-hidden" \
    -DCMAKE_C_FLAGS="-fvisibility=hidden" >/dev/null
  cmake --build "$work/build" -j"$(nproc)" --target sentencepiece-static sentencepiece_train-static >/dev/null
  cmake --install "$work/build" >/dev/null 2>&1 || true
  # Install only what we use, whatever the install rules of this version cover.
  mkdir -p "$spm_prefix/lib" "$spm_prefix/include"
  cp "$work/build/src/libsentencepiece.a" "$work/build/src/libsentencepiece_train.a" "$spm_prefix/lib/"
  cp "$work/spm/src/sentencepiece_processor.h" "$work/spm/src/sentencepiece_trainer.h" "$spm_prefix/include/"
  rm -rf "$work"
fi
echo "setup: ok (BLAS: $(blas_now))"
