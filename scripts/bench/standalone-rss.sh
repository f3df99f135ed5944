#!/usr/bin/env bash
# Idle resident memory of the daemon when nothing else maps its interpreter's pages, as in a
# container whose init is the process manager and whose workers are Go or PHP: tsupervisord and
# (when installed) Debian's supervisord, one after the other, with no node or python process of
# the benchmark alive while they are measured (scale.mjs is itself a node process, whose pages
# the daemon shares and cannot give back).
#
#   bash scripts/bench/standalone-rss.sh            (BENCH_RUNS=3: medians; BENCH_ONLY=tsupervisor)
#
# Each run: 6 FastCGI workers on a unix socket, or 200 or 1,000 programs (`sleep`, startsecs=0); RSS and
# PSS from /proc/PID/smaps_rollup 5 s after the last one entered RUNNING; then SIGTERM. Other
# node processes on the machine share pages with tsupervisord and inflate its RSS: the script
# says how many there were.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${BENCH_RUNS:-3}"
impls=("tsupervisor $here/packages/daemon/bin/tsupervisord.js")
if [ "${BENCH_ONLY:-}" = tsupervisor ]; then :
elif command -v supervisord >/dev/null; then impls+=("supervisor $(command -v supervisord)"); else echo "(supervisord is not installed: tsupervisor only)"; fi

header() {
  cat <<EOF
[unix_http_server]
file=$1/supervisor.sock
[supervisorctl]
serverurl=unix://$1/supervisor.sock
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisord]
nodaemon=true
logfile=$1/supervisord.log
pidfile=$1/supervisord.pid
childlogdir=$1
EOF
}
fcgi() {
  printf '[fcgi-program:w]\ncommand=sleep 100000\nsocket=unix://%s/fcgi.sock\nprocess_name=%%(program_name)s_%%(process_num)d\nnumprocs=6\nstartsecs=0\n' "$1"
}
programs() {
  printf '[program:p]\ncommand=sleep 100000\nprocess_name=%%(program_name)s_%%(process_num)04d\nnumprocs=200\nstartsecs=0\n'
}
programs1000() {
  printf '[program:p]\ncommand=sleep 100000\nprocess_name=%%(program_name)s_%%(process_num)04d\nnumprocs=1000\nstartsecs=0\n'
}

# one life: prints "rss pss" in kB
life() { # cmd body n
  local cmd="$1" body="$2" n="$3" tmp pid rss pss c
  tmp="$(mktemp -d /tmp/tsv-standalone-XXXXXX)"
  { header "$tmp"; "$body" "$tmp"; } >"$tmp/supervisord.conf"
  (cd "$tmp" && exec $cmd -c "$tmp/supervisord.conf" >/dev/null 2>&1) &
  pid=$!
  for _ in $(seq 1 3000); do
    c="$(grep -c 'entered RUNNING state' "$tmp/supervisord.log" 2>/dev/null || true)"
    [ "${c:-0}" -ge "$n" ] && break
    sleep 0.02
  done
  sleep 5
  rss=$(awk '/^Rss:/{print $2}' "/proc/$pid/smaps_rollup")
  pss=$(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
  echo "$rss $pss"
}

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

echo "other node processes on this machine: $(pgrep -xc node || true)"
declare -A result
for entry in "${impls[@]}"; do
  name="${entry%% *}"
  cmd="${entry#* }"
  for work in fcgi programs programs1000; do
    n=6
    [ "$work" = programs ] && n=200
    [ "$work" = programs1000 ] && n=1000
    rs=() ps=()
    for _ in $(seq 1 "$runs"); do
      read -r r p < <(life "$cmd" "$work" "$n")
      rs+=("$r")
      ps+=("$p")
    done
    result[$name.$work.rss]=$(printf '%s\n' "${rs[@]}" | median)
    result[$name.$work.pss]=$(printf '%s\n' "${ps[@]}" | median)
    echo "[$name] $work: RSS ${rs[*]} kB, PSS ${ps[*]} kB"
  done
done

if [ -n "${result[supervisor.fcgi.rss]:-}" ]; then
  printf '\n%-34s %12s %12s %7s\n' '' tsupervisor supervisord ratio
  for work in fcgi programs; do
    for m in rss pss; do
      a=${result[tsupervisor.$work.$m]}
      b=${result[supervisor.$work.$m]}
      label="${m^^} idle, $([ "$work" = fcgi ] && echo '6 fcgi workers' || echo '200 programs')"
      awk -v l="$label" -v a="$a" -v b="$b" 'BEGIN{printf "%-34s %9.1f MB %9.1f MB %7.2f\n", l, a/1024, b/1024, a/b}'
    done
  done
  a=$(( (${result[tsupervisor.programs1000.rss]} - ${result[tsupervisor.programs.rss]}) ))
  b=$(( (${result[supervisor.programs1000.rss]} - ${result[supervisor.programs.rss]}) ))
  awk -v a="$a" -v b="$b" 'BEGIN{printf "%-34s %9.1f kB %9.1f kB %7.2f\n", "RSS per extra program (200 → 1,000)", a/800, b/800, a/b}'
fi
