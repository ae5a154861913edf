# Sourced by .ci/run: what the browser tests (tests/browser) need.
#
# - Debian's Chromium, driven by the Playwright Python package (pinned in
#   constraints.txt); `playwright install` is never run: its download is not
#   reachable here and the Debian browser is the one we test.
# - axe-core, pinned by package.json + package-lock.json, installed with `npm ci`
#   into ./node_modules.
# - PORTAIL_REQUIRE_BROWSER=1: a missing browser or axe then fails the suite
#   instead of skipping it.
# - PORTAIL_SCREENSHOTS: where the home-page screenshots, the printed contract
#   (PDF) and the axe minor findings go (a folder the CI keeps).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq chromium
  fi
fi
npm ci --no-audit --no-fund --loglevel=error
export PORTAIL_REQUIRE_BROWSER=1
export PORTAIL_SCREENSHOTS="${PORTAIL_SCREENSHOTS:-$PWD/tests/browser/artifacts}"
