#!/usr/bin/env bash
# Builds the control-plane binaries (kube-apiserver, kubectl, etcd, helm) from the Go module proxy.
# Versions come from the tool modules under e2e/tools/*/go.mod (the single place to bump them).
# Each binary lands in $PORTCULLIS_CACHE/tools/<name>-<version>/ and is reused while that folder
# exists, so a second run costs nothing. Prints the directory holding all four binaries, last.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache="${PORTCULLIS_CACHE:-$root/.cache}"
tools="$root/e2e/tools"

command -v go >/dev/null || { echo "install-tools: Go is required (https://go.dev/doc/install); none on PATH" >&2; exit 1; }

module_version() { # <tool module dir> <module path>
  (cd "$1" && go list -m -f '{{.Version}}' "$2")
}

# build <module dir> <package> <binary name> <version> [ldflags]
build() {
  local dir=$1 pkg=$2 name=$3 version=$4 ldflags=${5:-}
  local out="$cache/tools/$name-$version"
  if [[ -x "$out/$name" ]]; then
    echo "install-tools: $name $version cached in $out" >&2
    return
  fi
  echo "install-tools: building $name $version from the Go module proxy (first time: several minutes on 2 cores)" >&2
  local start=$SECONDS tmp="$out.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # go build -v names each package as it compiles it; print a progress line every 100 packages.
  (cd "$dir" && go build -v -o "$tmp/$name" -ldflags "-s -w $ldflags" "$pkg") 2>&1 |
    awk -v n="$name" -v s="$start" '
      /^(#|go: |[^ ]+\.go:)/ { print; next }
      { c++; if (c % 100 == 0) { printf "install-tools: %s: %d packages compiled\n", n, c; fflush() } }
      END { printf "install-tools: %s: %d packages compiled\n", n, c }' >&2
  [[ ${PIPESTATUS[0]} -eq 0 && -x "$tmp/$name" ]] || { echo "install-tools: building $name failed" >&2; rm -rf "$tmp"; exit 1; }
  rm -rf "$out" && mv "$tmp" "$out"
  echo "install-tools: $name $version built in $((SECONDS - start))s" >&2
}

kube=$(module_version "$tools/kube" k8s.io/kubernetes)
etcd=$(module_version "$tools/etcd" go.etcd.io/etcd/server/v3)
helm=$(module_version "$tools/helm" helm.sh/helm/v3)

IFS=. read -r major minor _ <<<"${kube#v}"
stamp="-X k8s.io/component-base/version.gitVersion=$kube -X k8s.io/component-base/version.gitMajor=$major"
stamp+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
build "$tools/kube" k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver "$kube" "$stamp"
build "$tools/kube" k8s.io/kubernetes/cmd/kubectl kubectl "$kube" "$stamp"
build "$tools/etcd" go.etcd.io/etcd/server/v3 etcd "$etcd" "-X go.etcd.io/etcd/api/v3/version.GitSHA=$etcd"
build "$tools/helm" helm.sh/helm/v3/cmd/helm helm "$helm" "-X helm.sh/helm/v3/internal/version.version=$helm"

# The AWS peers of the SigV4 e2e tests (MinIO, and moto/boto3/aws CLI in a venv): their own script,
# whose stdout (the paths the e2e helpers read) is not part of this one's.
bash "$root/e2e/scripts/install-peers.sh" >/dev/null

# One folder of links, named for the versions, that the control plane and the tests put on PATH.
bin="$cache/bin/kube-$kube-etcd-$etcd-helm-$helm"
mkdir -p "$bin"
for pair in "kube-apiserver:$kube" "kubectl:$kube" "etcd:$etcd" "helm:$helm"; do
  name=${pair%%:*}
  ln -sfn "$cache/tools/$name-${pair#*:}/$name" "$bin/$name"
done
echo "$bin"
