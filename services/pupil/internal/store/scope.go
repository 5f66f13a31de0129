package store

import "github.com/nextstep-uk/nextstep/services/kit/auth"

// Scope is what a caller may see, in the form the queries filter by: each
// query that honours a scope takes its three values as scope_all,
// scope_la_codes and scope_school_urn, in the predicate
//
//	(@scope_all OR s.la_code = ANY(@scope_la_codes) OR s.urn = @scope_school_urn)
//
// on a pupil.schools row aliased s.
type Scope = auth.Filter

// ScopeOf is the principal's scope.
func ScopeOf(p auth.Principal) Scope { return p.Filter() }
