// Package pagetoken makes the opaque page tokens of list calls. A token is a
// cursor (the sort key of the last row returned) serialised and encoded; the
// client passes it back unchanged. Services apply the caller's scope to every
// page, so a forged token can only move the cursor, never widen access.
package pagetoken

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Encode returns the token for cursor, any JSON-serialisable value.
func Encode(cursor any) string {
	data, err := json.Marshal(cursor)
	if err != nil {
		// Cursors are plain structs of our own; failing to marshal one is a
		// programming error.
		panic(fmt.Sprintf("pagetoken: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(data)
}

// Decode reads token into cursor. An empty token leaves cursor untouched and
// means the first page.
func Decode(token string, cursor any) error {
	if token == "" {
		return nil
	}
	data, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return fmt.Errorf("page token is not one this service issued")
	}
	if err := json.Unmarshal(data, cursor); err != nil {
		return fmt.Errorf("page token is not one this service issued")
	}
	return nil
}
