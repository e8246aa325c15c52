#!/usr/bin/env bash
# First run: installs what Omnistock needs (Debian packages), builds it, and runs the demo —
# a private PostgreSQL under the data directory, three simulated channels on loopback and the
# daemon, with a short scripted story. Extra arguments go to `omnistock demo` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
export PATH="/opt/swift/usr/bin:$PATH"
swift build --product omnistock 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\] ' || true; }
exec "$(swift build --show-bin-path)/omnistock" demo "$@"
