#!/usr/bin/env bash
# Installs what the e2e node needs beside the control plane (docs/e2e-node.md):
#   - containerd, runc and the CNI plugins from Debian (apt-get; skipped when dpkg says they are there);
#   - kubelet, kube-controller-manager and kube-scheduler built from the Go module proxy, from the same
#     tool module (e2e/tools/kube) and version as kube-apiserver, into $PORTCULLIS_CACHE/tools/<name>-<version>/.
# Progress on stderr; prints the folder of links to the node binaries, last, on stdout.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache="${PORTCULLIS_CACHE:-$root/.cache}"
tools="$root/e2e/tools"
tag=node-tools

command -v go >/dev/null || { echo "$tag: Go is required (https://go.dev/doc/install); none on PATH" >&2; exit 1; }
# shellcheck source=lib/go-build.sh
source "$root/e2e/scripts/lib/go-build.sh" # kube_version_ldflags

packages=(containerd runc containernetworking-plugins)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || { echo "$tag: ${missing[*]} missing and not root: run apt-get install ${missing[*]} as root" >&2; exit 1; }
  echo "$tag: apt-get install ${missing[*]}" >&2
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

kube=$(cd "$tools/kube" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
stamp=$(kube_version_ldflags "$kube")
names=(kubelet kube-controller-manager kube-scheduler)
todo=()
for name in "${names[@]}"; do
  if [[ -x "$cache/tools/$name-$kube/$name" ]]; then
    echo "$tag: $name $kube cached in $cache/tools/$name-$kube" >&2
  else
    todo+=("$name")
  fi
done
if ((${#todo[@]})); then
  # One go build for all of them: they share most packages, and one process compiles each package once
  # and links the binaries in parallel.
  echo "$tag: building ${todo[*]} $kube from the Go module proxy (first time: 10-20 minutes on 2 cores)" >&2
  start=$SECONDS tmp="$cache/tools/node-$kube.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  pkgs=()
  for name in "${todo[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$name"); done
  (cd "$tools/kube" && go build -v -o "$tmp/" -ldflags "-s -w $stamp" "${pkgs[@]}") 2>&1 |
    awk -v t="$tag" '
      /^(#|go: |[^ ]+\.go:)/ { print; next }
      { c++; if (c % 100 == 0) { printf "%s: %d packages compiled\n", t, c; fflush() } }
      END { printf "%s: %d packages compiled\n", t, c }' >&2
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "$tag: go build failed (see above)" >&2; rm -rf "$tmp"; exit 1; }
  for name in "${todo[@]}"; do
    out="$cache/tools/$name-$kube"
    rm -rf "$out" && mkdir -p "$out" && mv "$tmp/$name" "$out/$name"
  done
  rm -rf "$tmp"
  echo "$tag: ${todo[*]} built in $((SECONDS - start))s" >&2
fi

bin="$cache/bin/node-$kube"
mkdir -p "$bin"
for name in "${names[@]}"; do
  ln -sfn "$cache/tools/$name-$kube/$name" "$bin/$name"
done
# containerd, ctr, runc from Debian; the CNI plugins live in /usr/lib/cni.
for name in containerd containerd-shim-runc-v2 ctr runc; do
  ln -sfn "$(command -v "$name")" "$bin/$name"
done
echo "$bin"
