package store

import "crypto/rand"

// NewID is a random (version 4) UUID for a new pupil: ids say nothing about
// the pupil, and making them here rather than in SQL keeps the import's
// merge free of volatile functions, so PostgreSQL can plan it as one pass.
func NewID() [16]byte {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return b
}
