#!/usr/bin/env bash
# Installs everything Expertscope needs on Debian 12 and builds the one dependency that
# cannot come from a binary package (static sentencepiece, see README "Why sentencepiece
# is built here"). Idempotent: a second run only checks.
set -euo pipefail

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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Source entries are needed to fetch Debian's own sentencepiece source.
src_list=/etc/apt/sources.list.d/expertscope-deb-src.sources
if [ ! -f "$spm_prefix/lib/libsentencepiece_train.a" ] && ! apt-cache showsrc sentencepiece 2>/dev/null | grep -q '^Package:'; then
  [ -f "$src_list" ] || $sudo tee "$src_list" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  missing+=(__update__)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  real=("${missing[@]/__update__/}")
  # shellcheck disable=SC2068
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends ${real[@]}
fi

# LibTorch links the generic libblas.so.3; make it OpenBLAS's OpenMP build: the reference
# BLAS is ~30x slower, and the OpenMP build follows each thread's OpenMP setting, which the
# collection workers use to run single-threaded (see README "Performance").
blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/{print $2}')
case "$blas" in
  *openblas-openmp*) ;;
  *) $sudo update-alternatives --set libblas.so.3-x86_64-linux-gnu \
       /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 ;;
esac

# sentencepiece, static, with its private protobuf hidden (Debian's shared library
# carries protobuf 3.14 and crashes LibTorch's protobuf 3.21 before main()).
if [ ! -f "$spm_prefix/lib/libsentencepiece_train.a" ]; then
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
echo "setup: ok (BLAS: $(update-alternatives --query libblas.so.3-x86_64-linux-gnu | awk '/^Value:/{print $2}'))"
