#!/usr/bin/env bash
# Builds the kstatus checker (.ci/kstatus: sigs.k8s.io/cli-utils/pkg/kstatus, the library Flux and kpt use) with the
# ordinary go tool through the Go module proxy, and caches the binary outside the clone by the hash of its sources
# (go.mod pins the library). Prints the binary's path. Sharing the control plane's module cache saves downloads.
#   .ci/kstatus.sh          # first run: tens of seconds; afterwards: instant
set -euo pipefail
src="$(cd "$(dirname "$0")/kstatus" && pwd)"
root="${KSTATUS_DIR:-$HOME/.cache/antiscraping-operator/kstatus}"
key=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" 2>/dev/null | sha256sum | cut -c1-16)
bin="$root/$key/kstatus"
if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "the go tool is needed to build the kstatus checker" >&2; exit 1; }
  mkdir -p "$root/$key"
  export GOMODCACHE="${KSTATUS_GOMODCACHE:-${KUBE_API_TEST_DIR:-$HOME/.cache/antiscraping-operator/kubeapitest}/go/mod}"
  export GOCACHE="$root/go-build" GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 GOTOOLCHAIN=local
  (cd "$src" && go build -trimpath -o "$bin.tmp" . ) >"$root/build.log" 2>&1 \
    || { echo "building the kstatus checker failed, see $root/build.log" >&2; tail -20 "$root/build.log" >&2; exit 1; }
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
