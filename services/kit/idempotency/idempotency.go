// Package idempotency tells a retried create from a different request that
// reuses its idempotency key. A create stores the fingerprint of its request
// beside the key; a later call with the key is a retry only if its
// fingerprint matches, and is refused otherwise, so a caller never believes
// a record it did not save was saved.
package idempotency

import (
	"bytes"
	"crypto/sha256"

	"google.golang.org/protobuf/proto"
)

// Fingerprint is the SHA-256 of the request's deterministic protobuf
// encoding: the same request always has the same fingerprint.
func Fingerprint(req proto.Message) []byte {
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		// The request was just unmarshalled, so it marshals.
		return nil
	}
	sum := sha256.Sum256(data)
	return sum[:]
}

// Matches reports whether a retry's fingerprint is the stored one. A record
// stored before its table kept fingerprints (stored is nil) matches any
// retry, as it did then.
func Matches(stored, retry []byte) bool {
	return stored == nil || bytes.Equal(stored, retry)
}
