# Shared set-up helpers for scripts/test.sh and scripts/demo.sh. Idempotent: each step does nothing when
# the thing is already there. Installs need root and Debian's apt (as on the project's machines).
export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=""

log() { echo "[setup] $*" >&2; }

apt_install() {
  if ! command -v apt-get >/dev/null; then
    log "cannot install $* (no apt-get): install it by hand"; return 1
  fi
  if [ -z "$APT_UPDATED" ]; then apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  log "installing $*"
  apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  log "nothing answers on 127.0.0.1:$1"; return 1
}

ensure_redis() {
  port_open 6379 && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  log "starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379
}

ensure_postgres() {
  if ! port_open 5432; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      apt_install postgresql
    fi
    log "starting PostgreSQL on 127.0.0.1:5432"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    wait_port 5432
  fi
  # the tests use database "test" as user postgres over TCP
  if command -v psql >/dev/null && ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
    log "preparing database test"
    su postgres -c "psql -Atc \"select 1 from pg_database where datname='test'\" | grep -q 1 || createdb test" || true
    local hba
    hba=$(su postgres -c "psql -Atc 'show hba_file'")
    if ! grep -q "sse-auth tests" "$hba"; then
      sed -i '1i host all all 127.0.0.1/32 trust # sse-auth tests' "$hba"
      su postgres -c "psql -Atc 'select pg_reload_conf()'" >/dev/null
    fi
  fi
}

# A Redis Cluster on loopback ports 7101-7106: three masters, each with a replica (for the failover test)
REDIS_CLUSTER_PORTS="7101 7102 7103 7104 7105 7106"
ensure_redis_cluster() {
  if redis-cli -p 7101 cluster info 2>/dev/null | grep -q "cluster_state:ok"; then return 0; fi
  command -v redis-server >/dev/null || apt_install redis-server
  local dir=/var/lib/redis/sseauth-cluster
  log "starting a Redis Cluster on 127.0.0.1:7101-7106"
  for p in $REDIS_CLUSTER_PORTS; do
    redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$dir/$p"; mkdir -p "$dir/$p"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/$p/nodes.conf" \
      --cluster-node-timeout 2000 --save "" --appendonly no --dir "$dir/$p" --daemonize yes \
      --logfile "$dir/$p/log"
  done
  for p in $REDIS_CLUSTER_PORTS; do wait_port "$p"; done
  redis-cli --cluster create $(for p in $REDIS_CLUSTER_PORTS; do printf '127.0.0.1:%s ' "$p"; done) \
    --cluster-replicas 1 --cluster-yes >/dev/null
  for _ in $(seq 1 60); do
    redis-cli -p 7101 cluster info | grep -q "cluster_state:ok" && return 0; sleep 0.5
  done
  log "the Redis Cluster did not become ready"; return 1
}

# nginx is started by the tests themselves, on loopback ports with configurations of their own
ensure_nginx() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx
}

ensure_browsers() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}
