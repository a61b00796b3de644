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

# shellcheck source=lib/go-build.sh
source "$root/e2e/scripts/lib/go-build.sh"
build() { go_build "$@"; }

kube=$(module_version "$tools/kube" k8s.io/kubernetes)
etcd=$(module_version "$tools/etcd" go.etcd.io/etcd/server/v3)
helm=$(module_version "$tools/helm" helm.sh/helm/v3)

stamp=$(kube_version_ldflags "$kube")
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
