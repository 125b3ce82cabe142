#!/usr/bin/env bash
# The HTML picture of a violating path in a real headless Chromium: it loads
# without console errors and shows the failing step. Installs Debian's
# chromium when missing; skips (exit 0) when it cannot be had.
#
#   scripts/browser-test.sh                    # the test
#   scripts/browser-test.sh results/trace.png  # the test, and a screenshot
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
	if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
		echo "browser-test: installing chromium"
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
			echo "browser-test: could not install chromium"
	fi
fi
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
	echo "browser-test: SKIP: no chromium"
	exit 0
fi
if [ $# -gt 0 ]; then
	mkdir -p "$(dirname "$1")"
	export ARGOCHECK_SCREENSHOT="$(realpath -m "$1")"
fi
go test -tags browser -count=1 -run 'Browser' -v ./viz/
