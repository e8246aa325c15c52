#!/usr/bin/env bash
# The status page as a person sees it: runs the demo, checks GET / has real data, and takes a headless
# Chromium screenshot of it (kept as $OMNISTOCK_SCREENSHOT, default /tmp/omnistock-status.png).
# Needs the built binary (`swift build`); installs Chromium from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$(swift build --show-bin-path)/omnistock"
shot="${OMNISTOCK_SCREENSHOT:-/tmp/omnistock-status.png}"
if ! command -v chromium >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || { echo "status page: chromium missing (apt-get install chromium)"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
fi
work=$(mktemp -d /tmp/omnistock-page.XXXXXX)
chmod 755 "$work"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" demo --data-dir "$work/demo" --port "$port" > "$work/demo.log" 2>&1 &
demo=$!
cleanup() { kill -INT "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 240); do
  grep -q "The daemon keeps running" "$work/demo.log" && break
  kill -0 "$demo" 2>/dev/null || { cat "$work/demo.log"; echo "status page: the demo stopped"; exit 1; }
  sleep 1
done
grep -q "The daemon keeps running" "$work/demo.log" || { tail -20 "$work/demo.log"; echo "status page: the demo did not finish its story"; exit 1; }
sleep 16   # one more lag sample for the chart
page=$(curl -fsS "http://127.0.0.1:$port/")
for expected in "Omnistock status" "webshop" "marketplace" "pos-krakow" "<polyline" "Recent pushes" "Open conflicts"; do
  grep -q "$expected" <<<"$page" || { echo "status page: missing \"$expected\""; exit 1; }
done
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1500 \
  --screenshot="$shot" "http://127.0.0.1:$port/" >/dev/null 2>&1
size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
[ "$size" -gt 20000 ] || { echo "status page: screenshot missing or blank ($size bytes)"; exit 1; }
echo "status page: ok (screenshot $shot, $size bytes)"
