#!/usr/bin/env bash
# Loopback throughput: sockpit headless vs socat vs OpenBSD nc, the same
# transfer for each (client reads a file on stdin -> 127.0.0.1 -> server
# writes stdout to a file), side by side. Timed from the client's start to
# both ends' exit; the output is hashed after the transfer, never in the
# pipeline (sha256sum runs at ~0.35 GB/s and would be what you measure).
#
#   benches/throughput.sh                  # 1 GiB, best of 3 runs per tool
#   SIZE=256M RUNS=1 benches/throughput.sh
#   SOCKPIT=/path/to/sockpit benches/throughput.sh   # skip the cargo build
#
# Not run by `cargo test` (cargo only looks at benches/*.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-1G}
RUNS=${RUNS:-3}
if [[ -z ${SOCKPIT:-} ]]; then
    cargo build --release --quiet
    SOCKPIT=${CARGO_TARGET_DIR:-target}/release/sockpit
fi
for tool in socat nc.openbsd sha256sum; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/test installs it)" >&2; exit 1; }
done

work=$(mktemp -d "${BENCH_DIR:-/dev/shm}/sockpit-bench.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

head -c "$SIZE" /dev/urandom >"$work/src"
bytes=$(stat -c %s "$work/src")
want=$(sha256sum <"$work/src" | cut -d' ' -f1)

# wait_line FILE PATTERN: the first line of FILE matching PATTERN (bounded
# poll: 10 s).
wait_line() {
    local line
    for _ in $(seq 1000); do
        if line=$(grep -m1 -- "$2" "$1" 2>/dev/null); then
            echo "$line"
            return
        fi
        sleep 0.01
    done
    echo "no '$2' in $1:" >&2
    cat "$1" >&2
    return 1
}

# One transfer with tool $1; sets $us to the microseconds it took.
transfer() {
    local line port start end server got
    rm -f "$work/out" "$work/err"
    case $1 in
    sockpit)
        # Text events: --events json would also write every byte as base64.
        "$SOCKPIT" tcp server 127.0.0.1:0 --headless </dev/null >"$work/out" 2>"$work/err" &
        server=$!
        pids+=("$server")
        line=$(wait_line "$work/err" '^listening on ')
        port=$(sed -E 's/^listening on [^ ]*:([0-9]+).*/\1/' <<<"$line")
        ;;
    socat)
        socat -d -d -b65536 -u TCP-LISTEN:0,bind=127.0.0.1 STDOUT >"$work/out" 2>"$work/err" &
        server=$!
        pids+=("$server")
        line=$(wait_line "$work/err" 'listening on')
        port=${line##*:}
        ;;
    nc.openbsd)
        nc.openbsd -N -lv 127.0.0.1 0 </dev/null >"$work/out" 2>"$work/err" &
        server=$!
        pids+=("$server")
        line=$(wait_line "$work/err" 'Listening on')
        port=${line##* }
        ;;
    esac
    start=$(date +%s%N)
    case $1 in
    sockpit) "$SOCKPIT" tcp client "127.0.0.1:$port" --headless <"$work/src" >/dev/null 2>"$work/cerr" ;;
    socat) socat -b65536 -u STDIN "TCP:127.0.0.1:$port" <"$work/src" ;;
    nc.openbsd) nc.openbsd -N 127.0.0.1 "$port" <"$work/src" >/dev/null ;;
    esac
    wait "$server"
    end=$(date +%s%N)
    us=$(((end - start) / 1000))
    got=$(sha256sum <"$work/out" | cut -d' ' -f1)
    if [[ $got != "$want" ]]; then
        echo "$1: output differs from input ($(stat -c %s "$work/out") of $bytes bytes)" >&2
        exit 1
    fi
}

tools=(sockpit socat nc.openbsd)
declare -A best
for tool in "${tools[@]}"; do
    for _ in $(seq "$RUNS"); do
        transfer "$tool"
        if [[ -z ${best[$tool]:-} || $us -lt ${best[$tool]} ]]; then best[$tool]=$us; fi
    done
done

mbs() { awk -v b="$bytes" -v us="$1" 'BEGIN { printf "%.0f", b / us }'; }
printf 'loopback TCP, %s bytes, best of %s, output hashed after the transfer (sha256 ok)\n' "$bytes" "$RUNS"
printf '%-12s %10s %10s\n' tool MB/s seconds
for tool in "${tools[@]}"; do
    printf '%-12s %10s %10.3f\n' "$tool" "$(mbs "${best[$tool]}")" "$(awk -v us="${best[$tool]}" 'BEGIN { print us / 1e6 }')"
done
for other in socat nc.openbsd; do
    awk -v a="${best[$other]}" -v b="${best[sockpit]}" -v o="$other" \
        'BEGIN { printf "sockpit/%s: %.2f\n", o, a / b }'
done
