# Sourced by install-tools.sh and install-node-tools.sh: build one Go binary from a tool module into
# $cache/tools/<name>-<version>/, reused while that folder exists, with a progress line every 100 packages.
# Needs $cache set by the caller. Progress goes to stderr (stdout is the caller's result).

# go_build <module dir> <package> <binary name> <version> [ldflags] [log prefix]
go_build() {
  local dir=$1 pkg=$2 name=$3 version=$4 ldflags=${5:-} tag=${6:-install-tools}
  local out="$cache/tools/$name-$version"
  if [[ -x "$out/$name" ]]; then
    echo "$tag: $name $version cached in $out" >&2
    return
  fi
  echo "$tag: building $name $version from the Go module proxy (first time: several minutes on 2 cores)" >&2
  local start=$SECONDS tmp="$out.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # go build -v names each package as it compiles it; print a progress line every 100 packages.
  (cd "$dir" && go build -v -o "$tmp/$name" -ldflags "-s -w $ldflags" "$pkg") 2>&1 |
    awk -v n="$name" -v t="$tag" '
      /^(#|go: |[^ ]+\.go:)/ { print; next }
      { c++; if (c % 100 == 0) { printf "%s: %s: %d packages compiled\n", t, n, c; fflush() } }
      END { printf "%s: %s: %d packages compiled\n", t, n, c }' >&2
  [[ ${PIPESTATUS[0]} -eq 0 && -x "$tmp/$name" ]] || { echo "$tag: building $name failed" >&2; rm -rf "$tmp"; return 1; }
  rm -rf "$out" && mv "$tmp" "$out"
  echo "$tag: $name $version built in $((SECONDS - start))s" >&2
}

# kube_version_ldflags <version>: what /version and the kubelet's node status report.
kube_version_ldflags() {
  local kube=$1 major minor _
  IFS=. read -r major minor _ <<<"${kube#v}"
  local stamp="-X k8s.io/component-base/version.gitVersion=$kube -X k8s.io/component-base/version.gitMajor=$major"
  stamp+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  echo "$stamp"
}
