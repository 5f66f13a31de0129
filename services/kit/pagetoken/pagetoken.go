// Package pagetoken makes the opaque page tokens of list calls. A token is a
// cursor (the sort key of the last row returned) serialised and encoded; the
// client passes it back unchanged. Services apply the caller's scope to every
// page, so a forged token can only move the cursor, never widen access; and
// a cursor must say it is well-formed before a query sees it, so a forged
// token that decodes (an id that is not a UUID, a date out of range) is
// refused as a bad argument rather than failing in PostgreSQL.
package pagetoken

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"

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

// Cursor is a position in a list: a pointer to a struct of the sort key's
// fields. Valid reports whether a decoded cursor is one the service could
// have issued: every field present and of the form its query needs.
type Cursor interface {
	Valid() bool
}

// Decode reads token into cursor. An empty token leaves cursor untouched and
// means the first page. A token this service did not issue (not base64, not
// the cursor's JSON, with fields it lacks, or failing its Valid) is refused
// with InvalidArgument on the request's page_token field, ready to return.
func Decode(token string, cursor Cursor) error {
	if token == "" {
		return nil
	}
	data, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(cursor)
		if err == nil && dec.More() {
			err = fmt.Errorf("trailing data")
		}
	}
	if err != nil || !cursor.Valid() {
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

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// UUID reports whether s is a UUID as PostgreSQL writes one (lower case),
// for cursors' Valid methods.
func UUID(s string) bool { return uuidPattern.MatchString(s) }
