#!/usr/bin/env bash
# Builds prom-label-proxy (github.com/prometheus-community/prom-label-proxy, the tenant-scoping query proxy
# docs/operations/security.md recommends) from its Go module at the version pinned in .ci/control-plane/versions.env,
# and caches the binary outside the clone by that version. Prints the binary's path. Sharing the control plane's
# module cache saves downloads.
#   .ci/prom-label-proxy.sh      # first run: about a minute; afterwards: instant
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=control-plane/versions.env
. "$here/control-plane/versions.env"
root="${PROM_LABEL_PROXY_DIR:-$HOME/.cache/antiscraping-operator/prom-label-proxy}"
bin="$root/$PROM_LABEL_PROXY_VERSION/prom-label-proxy"
if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "the go tool is needed to build prom-label-proxy" >&2; exit 1; }
  mkdir -p "$root/$PROM_LABEL_PROXY_VERSION"
  export GOMODCACHE="${PROM_LABEL_PROXY_GOMODCACHE:-${KUBE_API_TEST_DIR:-$HOME/.cache/antiscraping-operator/kubeapitest}/go/mod}"
  export GOCACHE="$root/go-build" GOBIN="$root/$PROM_LABEL_PROXY_VERSION.tmp" GOFLAGS="-buildvcs=false" CGO_ENABLED=0 \
    GOTOOLCHAIN=local
  go install -trimpath "github.com/prometheus-community/prom-label-proxy@$PROM_LABEL_PROXY_VERSION" \
    >"$root/build.log" 2>&1 \
    || { echo "building prom-label-proxy failed, see $root/build.log" >&2; tail -20 "$root/build.log" >&2; exit 1; }
  mv "$GOBIN/prom-label-proxy" "$bin"
  rm -rf "$GOBIN" "$GOCACHE"
fi
echo "$bin"
