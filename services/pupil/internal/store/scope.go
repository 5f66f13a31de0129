package store

import "github.com/nextstep-uk/nextstep/services/kit/auth"

// Scope is what a caller may see, in the form the queries filter by: every
// school, the schools of some local authorities, or one school.
type Scope struct {
	All       bool
	LACodes   []string
	SchoolURN string
}

// ScopeOf is the principal's scope.
func ScopeOf(p auth.Principal) Scope {
	return Scope{All: p.SeesAll(), LACodes: p.LACodes(), SchoolURN: p.SchoolURN()}
}

// scopeSQL is the predicate on a schools row aliased s, with the scope's
// three values (args) as parameters $1, $2 and $3.
const scopeSQL = `($1 OR s.la_code = ANY($2) OR s.urn = $3)`

func (s Scope) args() []any {
	codes := s.LACodes
	if codes == nil {
		codes = []string{}
	}
	return []any{s.All, codes, s.SchoolURN}
}
