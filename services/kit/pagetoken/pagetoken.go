// Package pagetoken makes the opaque page tokens of list calls. A token is a
// cursor (the sort key of the last row returned) serialised and encoded; the
// client passes it back unchanged. Services apply the caller's scope to every
// page, so a forged token can only move the cursor, never widen access.
package pagetoken

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
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
// means the first page. A token this service did not issue is refused with
// InvalidArgument on the request's page_token field, ready to return.
func Decode(token string, cursor any) error {
	if token == "" {
		return nil
	}
	data, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		err = json.Unmarshal(data, cursor)
	}
	if err != nil {
		return rpcerror.InvalidArgument(rpcerror.Violation{Field: "page_token", RuleID: "page_token.valid", Message: "is not a token this service issued"})
	}
	return nil
}

// Size is a list call's page size: def when the request names none, and
// never more than max.
func Size(requested, def, max int32) int {
	if requested <= 0 {
		return int(def)
	}
	return int(min(requested, max))
}
