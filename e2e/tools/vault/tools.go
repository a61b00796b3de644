//go:build tools

// Package tools pins HashiCorp Vault, whose AWS secrets engine OpenBao lacks (issue 13). Not built by
// `make test`: the build is too slow for CI's budget (docs/adr/0015-credential-origin-inside-the-type.md records the
// timing); `bash e2e/scripts/build-vault.sh` builds it on demand.
package tools

import (
	_ "github.com/hashicorp/vault"
)
