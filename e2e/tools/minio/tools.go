//go:build tools

// Package tools pins the MinIO server the AWS SigV4 e2e tests use as their S3 peer (it verifies
// SigV4 including aws-chunked chunk signatures and trailing checksums). MinIO publishes no semver
// tags, so the version is the pseudo-version of a commit on master; bump it with
// `go get github.com/minio/minio@latest && go mod tidy` in this folder.
package tools

import _ "github.com/minio/minio"
