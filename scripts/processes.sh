# Sourced by the scripts that start servers (make demo). Servers are started in the sourcing shell
# itself, never in a command substitution, so that their pids are kept and the exit trap stops every
# one of them: on success, on failure and on Ctrl-C.

started_pids=()
started_url=

stop_started() {
  local pid
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  started_pids=()
}
trap stop_started EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server NAME DIR COMMAND...: runs COMMAND in the background, its output in DIR/NAME.out and
# DIR/NAME.err, and sets started_url to the first line it prints (its URL).
start_server() {
  local name=$1 dir=$2 pid line
  shift 2
  "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
  pid=$!
  started_pids+=("$pid")
  started_url=
  for _ in $(seq 100); do
    line=$(head -n 1 "$dir/$name.out" 2>/dev/null || true)
    if [ -n "$line" ]; then
      started_url=$line
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before printing its URL:" >&2
      cat "$dir/$name.err" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "$name printed no URL within 10 seconds" >&2
  return 1
}
