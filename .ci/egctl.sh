#!/usr/bin/env bash
# Builds egctl (github.com/envoyproxy/gateway/cmd/egctl, Envoy Gateway's CLI, whose `egctl x translate` runs Envoy
# Gateway's own Gateway API and xDS translators offline) from its Go module at the version pinned in
# .ci/control-plane/versions.env, and caches the binary outside the clone by that version. Prints the binary's path.
# Sharing the control plane's module cache saves downloads.
#   .ci/egctl.sh      # first run: several minutes (a large module graph); afterwards: instant
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=control-plane/versions.env
. "$here/control-plane/versions.env"
root="${EGCTL_DIR:-$HOME/.cache/antiscraping-operator/egctl}"
bin="$root/$ENVOY_GATEWAY_VERSION/egctl"
if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "the go tool is needed to build egctl" >&2; exit 1; }
  mkdir -p "$root/$ENVOY_GATEWAY_VERSION"
  export GOMODCACHE="${EGCTL_GOMODCACHE:-${KUBE_API_TEST_DIR:-$HOME/.cache/antiscraping-operator/kubeapitest}/go/mod}"
  export GOCACHE="$root/go-build" GOBIN="$root/$ENVOY_GATEWAY_VERSION.tmp" GOFLAGS="-buildvcs=false" CGO_ENABLED=0 \
    GOTOOLCHAIN=local
  start=$(date +%s)
  go install -trimpath -ldflags "-s -w" "github.com/envoyproxy/gateway/cmd/egctl@$ENVOY_GATEWAY_VERSION" \
    >"$root/build.log" 2>&1 \
    || { echo "building egctl failed, see $root/build.log" >&2; tail -20 "$root/build.log" >&2; exit 1; }
  mv "$GOBIN/egctl" "$bin"
  rm -rf "$GOBIN" "$GOCACHE"
  echo "egctl $ENVOY_GATEWAY_VERSION built in $(( $(date +%s) - start )) s" >&2
fi
echo "$bin"
