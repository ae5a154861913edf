# Sourced (bash) by `make run`, `make test` and `make test-browser`: what the
# letters (portail/letters, docs/letters.md) need from Debian, installed when
# it can be.
#
# - WeasyPrint renders the PDF letters with pango (libpango-1.0-0,
#   libpangoft2-1.0-0) and needs fonts: the letters' stylesheet asks for
#   DejaVu Sans (fonts-dejavu-core).
# - The tests read the letters' text with pdftotext (poppler-utils).
#
# They are installed with apt-get when this runs as root (or with a
# password-less sudo); otherwise a missing one stops here with one line
# saying what is missing and the command that provides it.

# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

portail_setup_letters() {
  local missing=() package
  for package in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core ${PORTAIL_LETTERS_TEST_PACKAGES-poppler-utils}; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ] && ! portail_apt_install "${missing[@]}"; then
    echo "The letters need the Debian packages ${missing[*]}: install them with \`apt-get install ${missing[*]}\` as root." >&2
    return 1
  fi
}

portail_setup_letters
