// Package auth says who is calling and what they may do. An Authenticator
// turns a request's bearer token into a Principal (HTTP middleware, before
// the request body is read); one Connect interceptor then checks the
// principal's role against the access policy declared on each method in the
// .proto contract. Scope (hub, local authority, school) is enforced by the
// services in their queries, with the helpers on Principal.
package auth

import (
	"context"
	"slices"

	authv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/auth/v1"
)

// Role is a principal's role, as declared in the contract.
type Role = authv1.Role

// The roles, re-exported so services need not import the generated package.
const (
	RoleHubAdmin      = authv1.Role_ROLE_HUB_ADMIN
	RoleCaseworker    = authv1.Role_ROLE_CASEWORKER
	RoleCareersLeader = authv1.Role_ROLE_CAREERS_LEADER
	RoleAnalyst       = authv1.Role_ROLE_ANALYST
	RoleService       = authv1.Role_ROLE_SERVICE
)

// ScopeKind is the extent of the records a principal may see.
type ScopeKind string

const (
	// ScopeAll sees every record: other nextstep components acting as themselves.
	ScopeAll ScopeKind = "all"
	// ScopeHub sees the schools of the local authorities the hub covers.
	ScopeHub ScopeKind = "hub"
	// ScopeLocalAuthority sees the schools of one local authority.
	ScopeLocalAuthority ScopeKind = "la"
	// ScopeSchool sees one school.
	ScopeSchool ScopeKind = "school"
)

// Scope narrows what a principal sees.
type Scope struct {
	Kind ScopeKind `json:"kind"`
	// ID names the hub, the local authority (its 3-digit code) or the school
	// (its URN); empty for ScopeAll.
	ID string `json:"id,omitempty"`
	// LACodes are the local authorities a hub covers. For ScopeLocalAuthority
	// it is ID alone; for the others it is unused.
	LACodes []string `json:"la_codes,omitempty"`
}

// Principal is an authenticated caller: a member of staff or a component.
// Subject identifies staff or a service account, never a pupil, so it may be
// logged and audited.
type Principal struct {
	Subject string `json:"subject"`
	Role    Role   `json:"-"`
	Scope   Scope  `json:"scope"`
}

// SeesAll reports whether the principal's scope is unrestricted.
func (p Principal) SeesAll() bool { return p.Scope.Kind == ScopeAll }

// CanSeeSchool reports whether the principal's scope covers the school with
// this URN in this local authority.
func (p Principal) CanSeeSchool(urn, laCode string) bool {
	return p.Filter().Covers(urn, laCode)
}

// Filter is a principal's scope in the form the services' queries filter
// by: every record, the records of some local authorities' schools, or those
// of one school. In SQL it reads
//
//	(all OR la_code = ANY(la_codes) OR school_urn = school_urn)
//
// which is why LACodes is never nil and SchoolURN is empty unless the
// scope is one school.
type Filter struct {
	All       bool
	LACodes   []string
	SchoolURN string
}

// Filter returns the principal's scope as a Filter.
func (p Principal) Filter() Filter {
	codes := p.LACodes()
	if codes == nil {
		codes = []string{}
	}
	return Filter{All: p.SeesAll(), LACodes: codes, SchoolURN: p.SchoolURN()}
}

// Covers reports whether the filter includes a record of this school in
// this local authority.
func (f Filter) Covers(schoolURN, laCode string) bool {
	switch {
	case f.All:
		return true
	case f.SchoolURN != "":
		return f.SchoolURN == schoolURN
	default:
		return slices.Contains(f.LACodes, laCode)
	}
}

// LACodes are the local authorities the principal sees every school of; nil
// for ScopeAll (which sees all) and ScopeSchool (which sees one school).
func (p Principal) LACodes() []string {
	switch p.Scope.Kind {
	case ScopeLocalAuthority:
		return []string{p.Scope.ID}
	case ScopeHub:
		return p.Scope.LACodes
	default:
		return nil
	}
}

// SchoolURN is the one school a school-scoped principal sees, or "".
func (p Principal) SchoolURN() string {
	if p.Scope.Kind == ScopeSchool {
		return p.Scope.ID
	}
	return ""
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal. ok is false for a request that
// did not pass the authentication middleware, which handlers must treat as a
// programming error, not as an anonymous caller.
func FromContext(ctx context.Context) (p Principal, ok bool) {
	p, ok = ctx.Value(principalKey{}).(Principal)
	return p, ok
}
