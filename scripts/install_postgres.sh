#!/usr/bin/env bash
# Makes PostgreSQL answer at 127.0.0.1:5432 for user postgres without a password, with a
# database `test`, as the PostgreSQL tests expect (tests/db, tests/production):
# installs Debian's postgresql with apt when it is missing, starts the cluster when it
# is installed but stopped, and fails when it still does not answer.
# A cluster installed here gets passwordless TCP logins from this machine (pg_hba
# "trust" for 127.0.0.1 and ::1): it serves tests, never data.
set -euo pipefail
cd "$(dirname "$0")/.."
answers() { psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; }
installed_here=""
if [ -z "$(ls /etc/postgresql 2>/dev/null)" ] || ! command -v psql >/dev/null; then
  scripts/apt_install.sh postgresql
  installed_here=1
fi
if ! answers; then
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  echo "Starting PostgreSQL $version..."
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  for _ in $(seq 30); do answers && break; sleep 1; done
fi
if ! answers && [ -n "$installed_here" ]; then
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  for _ in $(seq 10); do answers && break; sleep 1; done
fi
if ! answers; then
  echo "error: PostgreSQL does not answer at 127.0.0.1:5432 as postgres without a password" >&2
  exit 1
fi
if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname = 'test'")" != 1 ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'
fi
