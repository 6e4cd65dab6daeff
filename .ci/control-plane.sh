#!/usr/bin/env bash
# Builds the real Kubernetes control plane the tests run against (kube-apiserver, kube-controller-manager,
# kubectl, etcd) from their Go modules with the ordinary `go` tool, at the versions pinned in
# .ci/control-plane/versions.env, and caches the binaries outside the clone in the layout that Fabric8's
# kube-api-test reads:
#   $KUBE_API_TEST_DIR/k8s/<x.y.z>-linux-amd64/{etcd,kube-apiserver,kubectl,kube-controller-manager}
# With the binaries cached it only checks them and exits.
#
#   .ci/control-plane.sh            build if missing, print the binary directory
#   .ci/control-plane.sh --env      the same, then print the variables the tests need (eval "$(...)")
#
# Environment:
#   KUBE_API_TEST_DIR   cache root (default ~/.cache/antiscraping-operator/kubeapitest)
#   CONTROL_PLANE_LOG   where the Go build's output goes (default $KUBE_API_TEST_DIR/build.log)
#   CONTROL_PLANE_KEEP_GOCACHE=1  keep Go's build cache after a build (deleted by default: ~3 GB)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=control-plane/versions.env
. "$here/control-plane/versions.env"

root="${KUBE_API_TEST_DIR:-$HOME/.cache/antiscraping-operator/kubeapitest}"
mkdir -p "$root"
root="$(cd "$root" && pwd)"
bin="$root/k8s/${KUBERNETES_VERSION}-linux-amd64"
stamp="kubernetes=v${KUBERNETES_VERSION} etcd=v${ETCD_VERSION}"
log="${CONTROL_PLANE_LOG:-$root/build.log}"

print_env() {
  echo "export KUBE_API_TEST_DIR='$root'"
  echo "export KUBE_API_TEST_OFFLINE_MODE=true"
  echo "export KUBE_API_TEST_API_SERVER_VERSION='${KUBERNETES_VERSION}'"
  echo "export ANTISCRAPING_CONTROL_PLANE_BIN='$bin'"
  echo "export ANTISCRAPING_ETCD_VERSION='${ETCD_VERSION}'"
}

cached() {
  [ -f "$bin/.versions" ] && [ "$(cat "$bin/.versions")" = "$stamp" ] || return 1
  for b in etcd kube-apiserver kubectl kube-controller-manager; do [ -x "$bin/$b" ] || return 1; done
}

if ! cached; then
  command -v go >/dev/null || { echo "control-plane: the go tool is needed to build the control plane" >&2; exit 1; }
  # The Go module and build caches live beside the binaries, so that one folder holds (and deletes) it all.
  export GOMODCACHE="${CONTROL_PLANE_GOMODCACHE:-$root/go/mod}" GOCACHE="${CONTROL_PLANE_GOCACHE:-$root/go/build}"
  export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOTOOLCHAIN=local
  work="$root/work"
  rm -rf "$work" "$bin.partial"
  mkdir -p "$work/kubernetes" "$work/etcd" "$bin.partial"
  echo "control-plane: building kubernetes v${KUBERNETES_VERSION} and etcd v${ETCD_VERSION} into $bin (log: $log)" >&2
  start=$(date +%s)
  {
    set -x
    # --- Kubernetes: a wrapper module. k8s.io/kubernetes replaces its staging modules with ./staging paths,
    # which a dependency's go.mod cannot do for us: replace each with its published v0.Y.Z here.
    kgomod="$(go mod download -json "k8s.io/kubernetes@v${KUBERNETES_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
    [ -f "$kgomod" ]
    minor="${KUBERNETES_VERSION#*.}"; minor="${minor%%.*}"
    {
      echo "module antiscraping.local/control-plane/kubernetes"
      echo
      sed -n 's/^go \(.*\)$/go \1/p' "$kgomod" | head -1
      awk '/^godebug[[:space:]]*\(/{b=1} b{print} b&&/^\)/{b=0; next} !b&&/^godebug /{print}' "$kgomod"
      echo
      echo "require k8s.io/kubernetes v${KUBERNETES_VERSION}"
      echo
      echo "replace ("
      sed -n 's/^[[:space:]]*\(k8s\.io\/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\.\/staging\/.*$/\1/p' "$kgomod" \
        | sort -u | while read -r m; do echo "	$m => $m v0.${minor}.${KUBERNETES_VERSION##*.}"; done
      echo ")"
    } > "$work/kubernetes/go.mod"
    cat "$work/kubernetes/go.mod"
    grep -q '=> k8s.io/api v0' "$work/kubernetes/go.mod"
    kv="v${KUBERNETES_VERSION}"
    ldflags="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags="$ldflags -X $p.gitVersion=$kv -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    ( cd "$work/kubernetes" && go build -trimpath -ldflags "$ldflags" -o "$bin.partial/" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl )
    # --- etcd: its server module is `package main` at the module root; its go.mod's relative replaces are
    # ignored in a dependency, where its requires name the published sibling modules of the same release.
    printf 'module antiscraping.local/control-plane/etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" > "$work/etcd/go.mod"
    ( cd "$work/etcd" && go build -trimpath -ldflags "-s -w" -o "$bin.partial/etcd" go.etcd.io/etcd/server/v3 )
    set +x
  } >"$log" 2>&1 || { echo "control-plane: build failed, see $log" >&2; tail -n 30 "$log" >&2; exit 1; }
  echo "$stamp" > "$bin.partial/.versions"
  rm -rf "$bin" && mv "$bin.partial" "$bin" && rm -rf "$work"
  # The compiled-package cache (~3 GB) only speeds up a rebuild; the module cache (~0.9 GB) stays for one.
  [ -n "${CONTROL_PLANE_KEEP_GOCACHE:-}" ] || go clean -cache
  echo "control-plane: built in $(( $(date +%s) - start )) s" >&2
fi

# A cheap check that the cached binaries run and are the pinned versions.
# (The output is read whole first: `grep -q` stops reading at the first match, and under pipefail the writer's
# SIGPIPE would fail the check at random.)
apiserver_version=$("$bin/kube-apiserver" --version)
grep -qx "Kubernetes v${KUBERNETES_VERSION}" <<<"$apiserver_version" \
  || { echo "control-plane: $bin/kube-apiserver is not v${KUBERNETES_VERSION}" >&2; exit 1; }
etcd_version=$("$bin/etcd" --version)
grep -q "etcd Version: ${ETCD_VERSION}" <<<"$etcd_version" \
  || { echo "control-plane: $bin/etcd is not v${ETCD_VERSION}" >&2; exit 1; }

if [ "${1:-}" = "--env" ]; then print_env; else echo "$bin"; fi
