# Sourced (bash) by `make test`: the PostgreSQL cluster of the machine for the
# RelStorage tests of tests/backends/ (the ZEO tests launch their own `runzeo`).
# Source it by hand before `make bench STORAGE=postgres` or
# `.venv/bin/pytest tests/backends`.
#
# Makes sure the test role (portail_test, password portail_test) and its three
# databases (main, sessions, journal) answer on the machine's first cluster,
# and exports
#   PORTAIL_TEST_PG_DSN       postgres://user:password@host:port of that role
#   PORTAIL_REQUIRE_BACKENDS  1: the backend tests fail, never skip, when a
#                             server is missing
#
# As root (or with a password-less sudo) it installs PostgreSQL if it is
# missing (Debian), starts the cluster and creates the role and databases if
# they do not exist; otherwise what is missing stops here with one line
# naming the command that provides it.  It also installs nginx and
# systemd-analyze for the deployment test, when it may.  A PORTAIL_TEST_PG_DSN already set is
# used as it is (a server of your own); PORTAIL_REQUIRE_BACKENDS=0
# (`make test PORTAIL_REQUIRE_BACKENDS=0`) skips all this and lets the
# PostgreSQL tests skip.

# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

portail_setup_backends() {
  local role=portail_test cluster version name port status db as=() skip
  skip='(or run `make test PORTAIL_REQUIRE_BACKENDS=0` to skip the PostgreSQL tests)'
  if [ "${PORTAIL_REQUIRE_BACKENDS:-1}" = 0 ]; then
    return 0
  fi
  # The deployment test (tests/backends/test_deploy.py) puts nginx in front of
  # the portal processes and verifies the systemd units with systemd-analyze;
  # without them it runs over plain http and says what it did not check.
  if ! command -v nginx >/dev/null 2>&1 && ! portail_apt_install nginx; then
    echo "nginx is missing: the deployment test runs without it (apt-get install nginx)." >&2
  fi
  if ! command -v systemd-analyze >/dev/null 2>&1 && ! portail_apt_install systemd; then
    echo "systemd-analyze is missing: the deployment test does not verify the units (apt-get install systemd)." >&2
  fi
  if [ -n "${PORTAIL_TEST_PG_DSN:-}" ]; then
    export PORTAIL_REQUIRE_BACKENDS=1
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    as=(sudo -n)
  fi
  if ! command -v pg_lsclusters >/dev/null 2>&1 && ! portail_apt_install postgresql; then
    echo "The backend tests need PostgreSQL, which is missing: install it with \`apt-get install postgresql\` as root $skip." >&2
    return 1
  fi
  # The first cluster of the machine (on these machines: 15 main).
  cluster=$(pg_lsclusters --no-header | head -n 1)
  if [ -z "$cluster" ]; then
    echo "The backend tests need a PostgreSQL cluster and this machine has none: create one with \`pg_createcluster --start 15 main\` as root $skip." >&2
    return 1
  fi
  read -r version name port status _ <<<"$cluster"
  if [ "$status" != online ] && ! "${as[@]}" pg_ctlcluster "$version" "$name" start 2>/dev/null; then
    echo "The backend tests need PostgreSQL $version/$name, which is stopped: start it with \`pg_ctlcluster $version $name start\` as root $skip." >&2
    return 1
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
  done
  # Already set up (no privilege needed): the role logs in and sees its databases.
  if [ "$(PGPASSWORD=$role psql -h 127.0.0.1 -p "$port" -U "$role" -d postgres -qtAc \
        "SELECT count(*) FROM pg_database WHERE datname IN ('${role}_main', '${role}_sessions', '${role}_journal')" \
        2>/dev/null)" != 3 ]; then
    if ! "${as[@]}" true 2>/dev/null || ! portail_create_test_databases "$role" "$port"; then
      echo "The backend tests need the PostgreSQL role $role and its databases: create them with \`source .ci/setup-backends.sh\` as root $skip." >&2
      return 1
    fi
  fi
  export PORTAIL_TEST_PG_DSN="postgres://$role:$role@127.0.0.1:$port"
  export PORTAIL_REQUIRE_BACKENDS=1
  echo "PostgreSQL $version/$name on port $port; PORTAIL_TEST_PG_DSN=$PORTAIL_TEST_PG_DSN"
}

# As the postgres superuser: the role and its three databases, those missing.
portail_create_test_databases() {
  local role=$1 port=$2 db as=()
  [ "$(id -u)" -eq 0 ] || as=(sudo -n)
  _pg() { "${as[@]}" runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtA "$@"; }
  if [ "$(_pg -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != 1 ]; then
    _pg -c "CREATE ROLE $role LOGIN PASSWORD '$role'" || return 1
  fi
  for db in main sessions journal; do
    if [ "$(_pg -c "SELECT 1 FROM pg_database WHERE datname = '${role}_$db'")" != 1 ]; then
      _pg -c "CREATE DATABASE ${role}_$db OWNER $role ENCODING 'UTF8'" || return 1
    fi
  done
}

portail_setup_backends
