#!/usr/bin/env bash
# The seed scenario, end to end, with tsupervisor:
#   six Go FastCGI workers (the article's app) share one listening socket 127.0.0.1:9001 owned
#   by tsupervisord; nginx on 127.0.0.1:8080 passes requests to them; 10 parallel requests are
#   answered by several workers; a SIGKILLed worker is replaced; everything is shut down.
#
#   bash scripts/demo.sh                 # sets the machine up first (scripts/setup.sh)
#   SKIP_SETUP=1 bash scripts/demo.sh    # machine already set up
#   SUPERVISORD=supervisord SUPERVISORCTL=supervisorctl bash scripts/demo.sh
#                                        # the same with Debian's supervisor 4.2.5, for comparison
#   HTTP_PORT=8080 FCGI_PORT=9001        # the article's ports (override when taken)
#
# Everything it starts lives in a temp dir and is stopped at the end (or on error, by pid).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HTTP_PORT="${HTTP_PORT:-8080}"
FCGI_PORT="${FCGI_PORT:-9001}"

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B='' N=''; fi
section() { printf '\n%s==== %s ====%s\n' "$B" "$*" "$N"; }
run() { # show a command line, run it, show its exit status when not 0
  printf '$ %s\n' "$*"
  local rc=0
  "$@" || rc=$?
  [ "$rc" = 0 ] || printf '(exit %s)\n' "$rc"
  return 0
}
die() { printf '\nDEMO FAILED: %s\n' "$*" >&2; exit 1; }

section "Setup"
if [ "${SKIP_SETUP:-0}" = 1 ]; then
  echo "SKIP_SETUP=1: not running scripts/setup.sh"
else
  bash scripts/setup.sh
fi

SUPERVISORD="${SUPERVISORD:-$ROOT/node_modules/.bin/tsupervisord}"
SUPERVISORCTL="${SUPERVISORCTL:-$ROOT/node_modules/.bin/tsupervisorctl}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
echo "daemon: $SUPERVISORD"
echo "ctl:    $SUPERVISORCTL"

for port in "$HTTP_PORT" "$FCGI_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port is already in use (set HTTP_PORT / FCGI_PORT to free ports)"
  fi
done

DIR="$(mktemp -d /tmp/tsv-demo.XXXXXX)"
DAEMON_PID=""
NGINX_PID=""
WORKER_PIDS=()

cleanup() { # on any exit: stop what is still running, by pid; remove the temp dir
  local rc=$? p
  trap - EXIT INT TERM
  [ -n "$DAEMON_PID" ] || DAEMON_PID="$(cat "$DIR/supervisord.pid" 2>/dev/null || true)"
  [ -n "$NGINX_PID" ] || NGINX_PID="$(cat "$DIR/nginx/nginx.pid" 2>/dev/null || true)"
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    mapfile -t -O "${#WORKER_PIDS[@]}" WORKER_PIDS < <(pgrep -P "$DAEMON_PID" || true)
    timeout 10 "$SUPERVISORCTL" -c "$DIR/supervisord.conf" shutdown >/dev/null 2>&1 || true
    for _ in $(seq 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  for p in "${WORKER_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [ "$rc" != 0 ] && [ -f "$DIR/supervisord.log" ]; then
    echo "--- last lines of the daemon's log:" >&2
    tail -n 20 "$DIR/supervisord.log" >&2 || true
  fi
  rm -rf "$DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ctl() { timeout 60 "$SUPERVISORCTL" -c "$DIR/supervisord.conf" "$@"; }
CTL_NAME="$(basename "$SUPERVISORCTL")"
run_ctl() { # show and run a ctl command as a person would type it
  printf '$ %s %s\n' "$CTL_NAME" "$*"
  local rc=0
  ctl "$@" || rc=$?
  [ "$rc" = 0 ] || printf '(exit %s)\n' "$rc"
}
# worker pids as the ctl reports them (NAME PID per line)
worker_pids() { ctl status 'fastcgi_test:*' 2>/dev/null | awk '$2 == "RUNNING" { sub(",", "", $4); print $1, $4 }'; }

section "Build the article's FastCGI app (Go, standard library only)"
export GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off CGO_ENABLED=0
export GOCACHE="$ROOT/test/.cache/go-build" GOPATH="$ROOT/test/.cache/gopath"
run go build -o "$DIR/fastcgi" test/fixtures/fastcgi-go/main.go
[ -x "$DIR/fastcgi" ] || die "go build failed"

section "Start the daemon (daemonized, as supervisord does by default)"
cat >"$DIR/supervisord.conf" <<EOF
[unix_http_server]
file=$DIR/supervisor.sock

[supervisord]
logfile=$DIR/supervisord.log
pidfile=$DIR/supervisord.pid
childlogdir=$DIR

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$DIR/supervisor.sock
EOF
cat "$DIR/supervisord.conf"
printf '$ %s -c %s\n' "$(basename "$SUPERVISORD")" "$DIR/supervisord.conf"
"$SUPERVISORD" -c "$DIR/supervisord.conf" || die "the daemon did not start"
for _ in $(seq 100); do
  [ -s "$DIR/supervisord.pid" ] && ctl pid >/dev/null 2>&1 && break
  sleep 0.1
done
ctl pid >/dev/null 2>&1 || die "the daemon does not answer"
DAEMON_PID="$(cat "$DIR/supervisord.pid")"
echo "daemon running, pid $DAEMON_PID"

section "Add the article's [fcgi-program:fastcgi_test] section, then update and start"
cat >>"$DIR/supervisord.conf" <<EOF

[fcgi-program:fastcgi_test]
socket=tcp://127.0.0.1:$FCGI_PORT
command=$DIR/fastcgi
autostart=true
stopwaitsecs=1000
autorestart=true
user=root
process_name=%(program_name)s_%(process_num)02d
numprocs=6
EOF
sed -n '/^\[fcgi-program/,$p' "$DIR/supervisord.conf"
echo
run_ctl update
run_ctl start 'fastcgi_test:*'
for _ in $(seq 150); do
  [ "$(worker_pids | wc -l)" = 6 ] && break
  sleep 0.1
done
run_ctl status
[ "$(worker_pids | wc -l)" = 6 ] || die "six workers are not RUNNING"
mapfile -t WORKER_PIDS < <(worker_pids | awk '{ print $2 }')

section "Start nginx on 127.0.0.1:$HTTP_PORT (fastcgi_pass 127.0.0.1:$FCGI_PORT)"
mkdir -p "$DIR/nginx"
cp /etc/nginx/fastcgi.conf "$DIR/nginx/fastcgi.conf"
cat >"$DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
events { worker_connections 256; }
http {
    access_log $DIR/nginx/access.log;
    client_body_temp_path $DIR/nginx/client_body;
    proxy_temp_path $DIR/nginx/proxy;
    fastcgi_temp_path $DIR/nginx/fastcgi;
    uwsgi_temp_path $DIR/nginx/uwsgi;
    scgi_temp_path $DIR/nginx/scgi;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        location / {
            include         fastcgi.conf;
            fastcgi_pass    127.0.0.1:$FCGI_PORT;
        }
    }
}
EOF
sed -n '/server {/,/^    }/p' "$DIR/nginx/nginx.conf"
run "$NGINX" -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/nginx/error.log"
for _ in $(seq 50); do [ -s "$DIR/nginx/nginx.pid" ] && break; sleep 0.1; done
NGINX_PID="$(cat "$DIR/nginx/nginx.pid" 2>/dev/null || true)"
[ -n "$NGINX_PID" ] || die "nginx did not start: $(cat "$DIR/nginx/error.log" 2>/dev/null)"
echo "nginx running, master pid $NGINX_PID"

section "10 parallel requests (each sleeps 1 s in the worker)"
batch() { # 10 parallel requests; prints answers, statuses and the distinct pids
  rm -f "$DIR"/answer.* "$DIR"/code.*
  echo "\$ for i in \`seq 1 10\`; do curl 'http://127.0.0.1:$HTTP_PORT/app?helloworld' & done"
  local start_ns elapsed_ms i
  start_ns=$(date +%s%N)
  for i in $(seq 1 10); do
    curl -s --max-time 20 -o "$DIR/answer.$i" -w '%{http_code}\n' "http://127.0.0.1:$HTTP_PORT/app?helloworld" >"$DIR/code.$i" &
  done
  wait
  elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  cat "$DIR"/answer.* | tr -d '\n'; echo
  distinct="$(cat "$DIR"/answer.* | awk '/^ProcessId:/ { print $2 }' | sort -u)"
  echo "HTTP statuses: $(sort "$DIR"/code.* | uniq -c | awk '{ printf "%s x%s ", $2, $1 }'); 10 requests in $elapsed_ms ms"
  echo "distinct worker pids that answered: $(echo "$distinct" | wc -l) ($(echo $distinct))"
  [ "$(cat "$DIR"/code.* | grep -c '^200$')" = 10 ] || die "not every request got 200"
}
batch
# Which worker wins each connection is the kernel's choice and a Go worker serves many requests
# at once, so now and then one worker takes a whole batch: then show another batch.
for _ in 1 2; do
  [ "$(echo "$distinct" | wc -l)" -ge 2 ] && break
  echo "(one worker took the whole batch; again)"
  batch
done

section "SIGKILL one worker: the daemon replaces it"
victim=fastcgi_test:fastcgi_test_02
old="$(ctl pid "$victim")"
run_ctl status
echo "\$ kill -9 $old    # $victim"
kill -KILL "$old"
new=""
for _ in $(seq 150); do
  new="$(worker_pids | awk -v n="$victim" '$1 == n { print $2 }')"
  [ -n "$new" ] && [ "$new" != "$old" ] && break
  sleep 0.1
done
run_ctl status
[ -n "$new" ] && [ "$new" != "$old" ] || die "$victim was not replaced"
echo "$victim: pid $old was killed, pid $new replaced it"
mapfile -t WORKER_PIDS < <(worker_pids | awk '{ print $2 }')
echo "\$ curl 'http://127.0.0.1:$HTTP_PORT/app?after-kill'"
curl -s --max-time 20 "http://127.0.0.1:$HTTP_PORT/app?after-kill"

section "Shut down nginx and the daemon"
echo "\$ kill -QUIT $NGINX_PID    # nginx"
kill -QUIT "$NGINX_PID"
for _ in $(seq 100); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
run_ctl shutdown
for _ in $(seq 300); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done

section "Check that nothing is left running"
left=()
for p in "$DAEMON_PID" "$NGINX_PID" "${WORKER_PIDS[@]}"; do
  kill -0 "$p" 2>/dev/null && left+=("$p")
done
for port in "$HTTP_PORT" "$FCGI_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then left+=("port:$port"); fi
done
if [ "${#left[@]}" -gt 0 ]; then
  ps -o pid,args -p "$(printf '%s,' "${left[@]}" | tr -cd '0-9,' | sed 's/,$//')" 2>/dev/null || true
  die "still running: ${left[*]}"
fi
echo "daemon $DAEMON_PID, nginx $NGINX_PID and the workers (${WORKER_PIDS[*]}) are gone; ports $HTTP_PORT and $FCGI_PORT are closed"
section "Demo OK"
