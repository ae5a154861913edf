# Sourced by the .ci/setup-*.sh scripts: `portail_apt_install PACKAGE...`
# installs Debian packages when this shell may (root, or a password-less
# sudo) and apt-get is there; it returns 1 without a word otherwise, so that
# the caller says what is missing.

portail_apt_install() {
  local as=()
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
    as=(sudo -n)
  fi
  echo "Installing $* with apt-get" >&2
  "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
