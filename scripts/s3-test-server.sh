#!/usr/bin/env bash
# A throwaway S3 server for tests: a single-node Ceph cluster (ceph-mon, ceph-osd on memstore,
# radosgw with the beast frontend) on free loopback ports, everything inside one folder.
# Measured facts behind each setting: ../../shared/notes/ceph-test-server.md (DESIGN: issue 3).
#
#   scripts/s3-test-server.sh install        install ceph-mon ceph-osd radosgw when missing (root)
#   scripts/s3-test-server.sh start <dir>    start a cluster, write <dir>/env (source it for tests)
#                                            and <dir>/granary.env (source it, then npm start or
#                                            granary serve keeps its bytes in this S3 server)
#   scripts/s3-test-server.sh granary-env <dir>   print <dir>/granary.env's variables
#   scripts/s3-test-server.sh stop <dir>     SIGKILL its daemons and remove <dir> (idempotent)
#   scripts/s3-test-server.sh status <dir>   exit 0 when S3 answers, print what runs
set -euo pipefail

readonly BUCKET=granary-test
readonly ACCESS_KEY=GRANARYTESTACCESSKEY
readonly SECRET_KEY=granary-test-secret-key-0123456789abcdef
readonly REGION=us-east-1
# memstore keeps every object in RAM (about 1.8x its size, measured); it grows only as objects
# arrive. Room for one >5 GiB multipart test object at a time (RGW's garbage collection frees
# deleted objects within seconds, see below); the cap keeps a runaway test from exhausting RAM.
readonly MEMSTORE_BYTES=$((10 * 1024 * 1024 * 1024))
readonly BOOTSTRAP_ATTEMPTS=3
readonly OSD_ATTEMPTS=4

log() { printf '[s3-test-server %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

cmd_install() {
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null; then
    log 'ceph-mon, ceph-osd and radosgw are already installed'
    return 0
  fi
  local sudo=''
  [[ $(id -u) -eq 0 ]] || sudo='sudo'
  # The man-db trigger costs minutes on every install and we never read those man pages.
  $sudo rm -f /var/lib/man-db/auto-update
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-unsafe-io ceph-mon ceph-osd radosgw
}

free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

write_conf() {
  local dir=$1 fsid=$2 mon_port=$3 rgw_port=$4
  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
# The protocol prefix matters on a non-default port: without it clients try msgr2 and hang.
mon host = [v1:127.0.0.1:$mon_port]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = true
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
keyring = $dir/keyring
mon data = $dir/mon/\$id
osd data = $dir/osd/\$id
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon pg warn min per osd = 0
paxos propose interval = 0.05
# The OSD's own start-up commands race the monitor map ("wrong fsid"); the script adds the OSD
# to the CRUSH map itself instead.
osd crush update on start = false
osd class update on start = false
osd max object name len = 460
osd max object namespace len = 64

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
rgw enable usage log = false
# Deleted objects' data is freed by RGW's garbage collector, by default hours later; in a test
# cluster kept in RAM, free it within seconds.
rgw gc obj min wait = 0
rgw gc processor period = 5
rgw gc processor max time = 5
EOF
}

# Runs a daemon in the foreground (-f) in the background; records its PID.
spawn() {
  local dir=$1 name=$2
  shift 2
  "$@" -c "$dir/ceph.conf" -f >>"$dir/log/$name.out" 2>&1 &
  echo $! >"$dir/pids/$name"
  disown $!
}

alive() { [[ -f $1/pids/$2 ]] && kill -0 "$(cat "$1/pids/$2")" 2>/dev/null; }

ceph_cmd() { timeout 30 ceph -c "$1/ceph.conf" --connect-timeout 20 "${@:2}"; }

wait_until() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

osd_up() { ceph_cmd "$1" osd dump 2>/dev/null | grep -qE '^osd\.0 up'; }

# Up and still running: the monitor only notices a dead lone OSD after minutes. Gives up at once
# when the process exits.
wait_osd() {
  local dir=$1 deadline=$((SECONDS + 60))
  until osd_up "$dir" && sleep 1 && alive "$dir" osd; do
    alive "$dir" osd && ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

s3_answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"; }

# The OSD can exit during start-up (its first commands race the monitor map): restart it.
start_osd() {
  local dir=$1 attempt
  for ((attempt = 1; attempt <= OSD_ATTEMPTS; attempt++)); do
    spawn "$dir" osd ceph-osd -i 0
    if wait_osd "$dir"; then return 0; fi
    log "osd.0 not up (attempt $attempt), restarting it"
    kill -9 "$(cat "$dir/pids/osd")" 2>/dev/null || true
    ceph_cmd "$dir" osd down 0 >/dev/null 2>&1 || true
    sleep 1
  done
  return 1
}

# True once S3 answers; false at once when a daemon died, so the bootstrap is retried.
wait_for_s3() {
  local dir=$1 port=$2 deadline=$((SECONDS + 150)) name
  until s3_answers "$port"; do
    for name in mon osd rgw; do
      alive "$dir" "$name" || { log "$name exited"; return 1; }
    done
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

bootstrap() {
  local dir=$1 fsid mon_port rgw_port uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  while [[ $rgw_port == "$mon_port" ]]; do rgw_port=$(free_port); done
  mkdir -p "$dir"/{run,log,pids,mon/a,osd/0,rgw}
  write_conf "$dir" "$fsid" "$mon_port" "$rgw_port"
  : >"$dir/keyring"

  log "monitor on 127.0.0.1:$mon_port"
  monmaptool --create --clobber --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-mon -c "$dir/ceph.conf" --mkfs -i a --monmap "$dir/monmap" >>"$dir/log/mkfs.out" 2>&1 ||
    { log 'ceph-mon --mkfs failed'; return 1; }
  spawn "$dir" mon ceph-mon -i a
  wait_until 30 ceph_cmd "$dir" mon stat >/dev/null 2>&1 || { log 'monitor did not answer'; return 1; }

  log 'osd.0 (memstore)'
  uuid=$(cat /proc/sys/kernel/random/uuid)
  [[ $(ceph_cmd "$dir" osd new "$uuid" 0 2>>"$dir/log/mkfs.out") == 0 ]] || { log 'osd new failed'; return 1; }
  ceph-osd -c "$dir/ceph.conf" -i 0 --mkfs --osd-uuid "$uuid" >>"$dir/log/mkfs.out" 2>&1 ||
    { log 'ceph-osd --mkfs failed'; return 1; }
  ceph_cmd "$dir" osd crush add osd.0 1.0 root=default host=localhost >>"$dir/log/mkfs.out" 2>&1 ||
    { log 'adding osd.0 to the CRUSH map failed'; return 1; }
  start_osd "$dir" || { log 'osd.0 never came up'; return 1; }

  log "radosgw on 127.0.0.1:$rgw_port"
  spawn "$dir" rgw radosgw -n client.rgw.a
  wait_for_s3 "$dir" "$rgw_port" || { log 'radosgw did not answer'; return 1; }

  radosgw-admin -c "$dir/ceph.conf" -n client.admin user create --uid granary-test \
    --display-name 'Granary tests' --access-key "$ACCESS_KEY" --secret "$SECRET_KEY" \
    >>"$dir/log/mkfs.out" 2>&1 || { log 'radosgw-admin user create failed'; return 1; }
  wait_until 30 create_bucket "$rgw_port" || { log 'bucket creation failed'; return 1; }
  write_env "$dir" "$rgw_port"
}

# SigV4 by curl itself (7.75+): no awscli and no node_modules needed. S3 wants the payload hash
# header signed; curl only signs it when given (this one is the SHA-256 of an empty body).
create_bucket() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X PUT \
    -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
    --aws-sigv4 "aws:amz:$REGION:s3" -u "$ACCESS_KEY:$SECRET_KEY" "http://127.0.0.1:$1/$BUCKET")
  [[ $code == 200 || $code == 409 ]]
}

write_env() {
  cat >"$1/env" <<EOF
export GRANARY_TEST_S3_ENDPOINT=http://127.0.0.1:$2
export GRANARY_TEST_S3_BUCKET=$BUCKET
export GRANARY_TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY
export GRANARY_TEST_S3_SECRET_ACCESS_KEY=$SECRET_KEY
export GRANARY_TEST_S3_REGION=$REGION
EOF
  granary_env "$1" >"$1/granary.env"
}

# The server's own settings for the cluster in <dir> (from <dir>/env): `source <dir>/granary.env`
# and `npm start` uses it.
granary_env() {
  [[ -f $1/env ]] || die "no cluster in $1"
  # shellcheck disable=SC1091
  source "$1/env"
  cat <<EOF
# source this, then npm start (or granary serve): the bytes go to the test S3 server
export GRANARY_STORAGE=s3
export GRANARY_S3_ENDPOINT=$GRANARY_TEST_S3_ENDPOINT
export GRANARY_S3_BUCKET=$GRANARY_TEST_S3_BUCKET
export GRANARY_S3_REGION=$GRANARY_TEST_S3_REGION
export GRANARY_S3_ACCESS_KEY_ID=$GRANARY_TEST_S3_ACCESS_KEY_ID
export GRANARY_S3_SECRET_ACCESS_KEY=$GRANARY_TEST_S3_SECRET_ACCESS_KEY
export GRANARY_S3_FORCE_PATH_STYLE=true
export GRANARY_S3_PREFIX=local/
EOF
}

kill_all() {
  local dir=$1 pidfile
  [[ -d $dir/pids ]] || return 0
  for pidfile in "$dir"/pids/*; do
    [[ -f $pidfile ]] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
}

cmd_start() {
  local dir=${1:?usage: start <dir>} attempt began=$SECONDS
  command -v radosgw >/dev/null || die 'radosgw is not installed: run "$0 install" first'
  if [[ -d $dir && -n $(ls -A "$dir") ]]; then die "$dir is not empty: stop the cluster there first"; fi
  dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
  for ((attempt = 1; attempt <= BOOTSTRAP_ATTEMPTS; attempt++)); do
    if bootstrap "$dir"; then
      log "S3 ready in $((SECONDS - began)) s: source $dir/env (tests) or $dir/granary.env (npm start)"
      return 0
    fi
    log "bootstrap attempt $attempt failed; last log lines:"
    tail -n 5 "$dir"/log/*.out >&2 2>/dev/null || true
    kill_all "$dir"
    sleep 1
    if ((attempt < BOOTSTRAP_ATTEMPTS)); then find "$dir" -mindepth 1 -delete; fi
  done
  die "no S3 server after $BOOTSTRAP_ATTEMPTS attempts; logs are in $dir/log"
}

cmd_stop() {
  local dir=${1:?usage: stop <dir>}
  [[ -e $dir ]] || return 0
  # Refuse to remove a folder this script did not make.
  [[ -f $dir/ceph.conf || -d $dir/pids || -z $(ls -A "$dir") ]] || die "$dir is not a test cluster"
  kill_all "$dir"
  rm -rf "$dir"
}

cmd_status() {
  local dir=${1:?usage: status <dir>} name ok=0
  [[ -f $dir/env ]] || { echo "no cluster in $dir"; return 1; }
  for name in mon osd rgw; do
    if alive "$dir" "$name"; then echo "$name: running (pid $(cat "$dir/pids/$name"))"; else echo "$name: not running"; ok=1; fi
  done
  # shellcheck disable=SC1091
  (source "$dir/env" && curl -s -o /dev/null --max-time 2 "$GRANARY_TEST_S3_ENDPOINT/" &&
    echo "s3: answering at $GRANARY_TEST_S3_ENDPOINT") || { echo 's3: not answering'; ok=1; }
  return $ok
}

case ${1:-} in
  install) cmd_install ;;
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  status) cmd_status "${2:-}" ;;
  granary-env) granary_env "${2:?usage: granary-env <dir>}" ;;
  *) die "usage: $0 install | start <dir> | stop <dir> | status <dir> | granary-env <dir>" ;;
esac
