package store

import "github.com/nextstep-uk/nextstep/services/kit/auth"

// Scope is what a caller may see, in the form the queries filter by.
type Scope = auth.Filter

// ScopeOf is the principal's scope.
func ScopeOf(p auth.Principal) Scope { return p.Filter() }

// scopeSQL is the predicate on a schools row aliased s, with the scope's
// three values (args) as parameters $1, $2 and $3.
const scopeSQL = `($1 OR s.la_code = ANY($2) OR s.urn = $3)`

func scopeArgs(s Scope) []any {
	return []any{s.All, s.LACodes, s.SchoolURN}
}
