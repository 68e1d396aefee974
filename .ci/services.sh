#!/usr/bin/env bash
# Services the tests need that the machine does not start: a PostgreSQL server for
# the production Dagster instance test, and Chromium (with a CJK font, or the
# screenshots show boxes for Chinese) for the browser tests. All from Debian's packages. Sourced by .ci/run; exports what the tests read.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_ctlcluster >/dev/null || ! command -v chromium >/dev/null || ! fc-list | grep -qi "wenquanyi"; then
  apt-get update -qq
  apt-get install -y -qq postgresql chromium fonts-wqy-microhei >/dev/null
fi
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
pg_ctlcluster $cluster start 2>/dev/null || true
for _ in $(seq 30); do su postgres -c "pg_isready -q" && break; sleep 1; done
su postgres -c "psql -qc \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dagster') THEN CREATE ROLE dagster LOGIN PASSWORD 'dagster'; END IF; END \\\$\\\$;\""
su postgres -c "psql -qc 'DROP DATABASE IF EXISTS dagster_ci'"
su postgres -c "psql -qc 'CREATE DATABASE dagster_ci OWNER dagster'"
export DAGSTER_PG_HOST=localhost DAGSTER_PG_PORT=$(pg_lsclusters --no-header | awk 'NR==1 {print $3}')
export DAGSTER_PG_DB=dagster_ci DAGSTER_PG_USER=dagster DAGSTER_PG_PASSWORD=dagster
export YINGSHANG_REQUIRE_POSTGRES=1 YINGSHANG_REQUIRE_BROWSER=1
