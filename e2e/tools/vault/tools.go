//go:build tools

// Package tools pins HashiCorp Vault, whose AWS secrets engine OpenBao lacks (issue 13). Not built by
// `make test`: the build is far too slow for CI's budget, and at v1.21.4 it does not compile against the
// published sdk module (go.mod; docs/adr/0015-credential-origin-inside-the-type.md has the timing).
package tools

import (
	_ "github.com/hashicorp/vault"
)
