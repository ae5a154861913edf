# Sourced (bash) by `make test` and `make test-browser`: what the browser
# tests (tests/browser) need, installed when it can be.
#
# - Debian's Chromium, driven by the Playwright Python package (pinned in
#   constraints.txt); `playwright install` is never run: its download is not
#   reachable here and the Debian browser is the one we test.
# - axe-core, pinned by package.json + package-lock.json, installed with
#   `npm ci` into ./node_modules when the version there is not the locked one
#   (npm is needed only then).
# - PORTAIL_REQUIRE_BROWSER=1: a missing browser or axe then fails the suite
#   instead of skipping it.
# - PORTAIL_SCREENSHOTS: where the home-page screenshots, the printed contract
#   (PDF) and the axe minor findings go (a folder the CI keeps).
#
# Chromium and npm are installed with apt-get when this runs as root (or with
# a password-less sudo); otherwise a missing one stops here with one line
# saying what is missing and the command that provides it.
# PORTAIL_REQUIRE_BROWSER=0 (`make test PORTAIL_REQUIRE_BROWSER=0`) skips all
# this and lets the browser tests skip.

# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

portail_setup_browser() {
  local chromium=${PORTAIL_CHROMIUM:-/usr/bin/chromium} locked installed root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ "${PORTAIL_REQUIRE_BROWSER:-1}" = 0 ]; then
    return 0
  fi
  if [ ! -x "$chromium" ] && [ "$chromium" != /usr/bin/chromium ]; then
    echo "The browser tests need Chromium and PORTAIL_CHROMIUM=$chromium is not a program: point it at Chromium, or unset it to use Debian's (or run \`make test PORTAIL_REQUIRE_BROWSER=0\` to skip them)." >&2
    return 1
  fi
  if [ ! -x "$chromium" ]; then
    if ! portail_apt_install chromium; then
      echo "The browser tests need Chromium at $chromium: install it with \`apt-get install chromium\` as root (or run \`make test PORTAIL_REQUIRE_BROWSER=0\` to skip them)." >&2
      return 1
    fi
  fi
  locked=$(sed -n '/"node_modules\/axe-core"/,/"version"/s/.*"version": *"\([^"]*\)".*/\1/p' \
    "$root/package-lock.json")
  installed=$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' \
    "$root/node_modules/axe-core/package.json" 2>/dev/null)
  if [ "$installed" != "$locked" ]; then
    if ! command -v npm >/dev/null 2>&1 && ! portail_apt_install npm; then
      echo "The browser tests need axe-core $locked, installed with npm, which is missing: install it with \`apt-get install npm\` as root (or run \`make test PORTAIL_REQUIRE_BROWSER=0\` to skip them)." >&2
      return 1
    fi
    if ! (cd "$root" && npm ci --no-audit --no-fund --loglevel=error); then
      echo "\`npm ci\` could not install axe-core $locked for the browser tests (see above; or run \`make test PORTAIL_REQUIRE_BROWSER=0\` to skip them)." >&2
      return 1
    fi
  fi
  export PORTAIL_REQUIRE_BROWSER=1
  export PORTAIL_SCREENSHOTS="${PORTAIL_SCREENSHOTS:-$root/tests/browser/artifacts}"
}

portail_setup_browser
