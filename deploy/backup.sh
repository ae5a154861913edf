#!/bin/bash
# repozo backups of the three databases of a production Portail
# (docs/operations.md, "Backups"); portail-backup.service runs it hourly.
#
#   PORTAIL_BIN          the virtualenv's bin (repozo)     /opt/portail/.venv/bin
#   PORTAIL_STORAGE      the folder of Data.fs, ...        /var/lib/portail
#   PORTAIL_BACKUPS      where the backups go              /var/backups/portail
#   PORTAIL_BACKUP_DAYS  days of backups kept              14
#
# Each UTC day has its folder, $PORTAIL_BACKUPS/YYYY-MM-DD/{Journal,Data,Sessions}:
# the day's first run makes a full backup, the next ones incremental ones; a
# full one is made again after a pack (portail-retention --erase,
# portail-journal purge) and then removes the older files of that day (-k).
# Each day's folder restores on its own (repozo -R).  The folders of days
# older than PORTAIL_BACKUP_DAYS are deleted.
#
# The journal first, then the data, then the sessions, as `make backup`
# does: each file is copied up to its last commit while the portal writes,
# and a journal entry is committed with or after the change it records, so
# every entry of the journal's copy has its change in the data copied after
# it.  The sessions refer to nothing.
set -euo pipefail

bin=${PORTAIL_BIN:-/opt/portail/.venv/bin}
storage=${PORTAIL_STORAGE:-/var/lib/portail}
backups=${PORTAIL_BACKUPS:-/var/backups/portail}
days=${PORTAIL_BACKUP_DAYS:-14}
case $days in
  ''|*[!0-9]*) echo "backup.sh: PORTAIL_BACKUP_DAYS must be a number of days" >&2; exit 2 ;;
esac

today=$(date -u +%Y-%m-%d)
for db in Journal Data Sessions; do
  mkdir -p "$backups/$today/$db"
  "$bin/repozo" -B -z -k -v -r "$backups/$today/$db" -f "$storage/$db.fs"
done

oldest=$(date -u -d "$days days ago" +%Y-%m-%d)
for folder in "$backups"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
  [ -d "$folder" ] || continue
  if [[ ${folder##*/} < $oldest ]]; then
    echo "removing the backups of ${folder##*/} (older than $days days)"
    rm -rf -- "$folder"
  fi
done

# repozo names its files by the second: a next run starting within the same
# second would overwrite this one's files (and the restore would miss them).
sleep 1
