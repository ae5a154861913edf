# Sourced by .ci/run: the PostgreSQL cluster of the machine for the RelStorage
# tests of tests/backends/ (the ZEO tests launch their own `runzeo`).
#
# Installs PostgreSQL if it is missing (Debian, as root), starts the cluster,
# creates the test role and its three databases (main, sessions, journal) if
# they do not exist, and exports
#   PORTAIL_TEST_PG_DSN       postgres://user:password@host:port of that role
#   PORTAIL_REQUIRE_BACKENDS  1: the backend tests fail, never skip, when a
#                             server is missing

portail_setup_backends() {
  local role=portail_test cluster version name status db PORTAIL_PG_PORT
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL is not installed: apt-get install postgresql"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  # The first cluster of the machine (on these machines: 15 main, stopped).
  cluster=$(pg_lsclusters --no-header | head -n 1)
  if [ -z "$cluster" ]; then
    echo "no PostgreSQL cluster on this machine" >&2
    return 1
  fi
  read -r version name _ status _ <<<"$cluster"
  if [ "$status" != online ]; then
    pg_ctlcluster "$version" "$name" start
  fi
  PORTAIL_PG_PORT=$(pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1 == v && $2 == n {print $3}')
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$PORTAIL_PG_PORT" && break
    sleep 1
  done
  _pg() { runuser -u postgres -- psql -p "$PORTAIL_PG_PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
  if [ "$(_pg -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != 1 ]; then
    _pg -c "CREATE ROLE $role LOGIN PASSWORD '$role'"
  fi
  for db in main sessions journal; do
    if [ "$(_pg -c "SELECT 1 FROM pg_database WHERE datname = '${role}_$db'")" != 1 ]; then
      _pg -c "CREATE DATABASE ${role}_$db OWNER $role ENCODING 'UTF8'"
    fi
  done
  unset -f _pg
  export PORTAIL_TEST_PG_DSN="postgres://$role:$role@127.0.0.1:$PORTAIL_PG_PORT"
  export PORTAIL_REQUIRE_BACKENDS=1
  echo "PostgreSQL $version/$name on port $PORTAIL_PG_PORT; PORTAIL_TEST_PG_DSN=$PORTAIL_TEST_PG_DSN"
}

portail_setup_backends
unset -f portail_setup_backends
