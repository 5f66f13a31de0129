package store

// Every query that honours the caller's scope (an auth.Scope) takes its
// three values as scope_all, scope_la_codes and scope_school_urn, in the
// predicate
//
//	(@scope_all OR s.la_code = ANY(@scope_la_codes) OR s.urn = @scope_school_urn)
//
// on a pupil.schools row aliased s. sqlc cannot share a fragment between
// queries, so each query file writes it out; this is where it is said once.
