# Debian 12 packages Sayso needs, installed only when missing.
# Sourced by tools/run, tools/test and tools/bench.

SAYSO_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libsdl2-dev libimgui-dev libstb-dev libpng-dev libsqlite3-dev libcurl4-openssl-dev
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libkainjow-mustache-dev
  libboost1.81-dev libssl-dev libpq-dev libsodium-dev
  libharfbuzz-dev libfreetype-dev libfribidi-dev libespeak-ng-dev espeak-ng-data libopusenc-dev libopus-dev
  fonts-sil-andika fonts-noto-core fonts-opendyslexic
)
# PostgreSQL and openssl: tests start a throwaway cluster and make a throwaway CA.
# cage and systemd: a test checks the kiosk session unit with systemd-analyze.
# vorbis-tools: a test makes an Ogg Vorbis clip with oggenc to read back.
# libopusfile-dev: tests decode a child's delivered recording to check its length.
# chromium and python3-websocket: the reports are loaded and photographed in headless Chromium.
# python3-jsonschema: the pack schema is checked by a real validator against the loader.
# libcpp-httplib-dev: the tests' own HTTP client, for requests libcurl won't make as they are.
# nginx: a test runs the shipped nginx site in front of two collectors.
SAYSO_TEST_PACKAGES=(doctest-dev libcpp-httplib-dev postgresql openssl cage systemd vorbis-tools chromium python3-websocket nginx
  python3-jsonschema libopusfile-dev)
# tools/bench: the peers it measures against (Chromium with SurveyJS from npm,
# nginx), PostgreSQL for the store figures, Xvfb for the OpenGL path. Debian's
# npm is added only where no npm is installed: it needs Debian's Node.js, and
# can't be installed beside another.
SAYSO_BENCH_PACKAGES=(python3 postgresql chromium nginx xvfb)
# tools/package: debhelper builds the Debian packages, lintian checks them,
# debootstrap makes the fresh Debian root they are installed into.
SAYSO_PACKAGE_PACKAGES=(debhelper dpkg-dev help2man lintian fakeroot debootstrap)
# clang 14 with its runtime (libFuzzer, ASan, UBSan): tools/fuzz.
SAYSO_FUZZ_PACKAGES=(clang libclang-rt-14-dev)
# clang-format 14: tools/format applies .clang-format, and CI checks it.
SAYSO_FORMAT_PACKAGES=(clang-format)

# install_packages PKG... : apt-get installs those not yet installed.
install_packages() {
  local missing=()
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  echo "Installing: ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
