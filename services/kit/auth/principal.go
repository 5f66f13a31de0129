// Package auth says who is calling and what they may do. An Authenticator
// turns a request's bearer token into a Principal (HTTP middleware, before
// the request body is read); one Connect interceptor then checks the
// principal's role against the access policy declared on each method in the
// .proto contract. Scope (hub, local authority, school) is enforced by the
// services in their queries, with the principal's Scope.
package auth

import (
	"context"

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

// Principal is an authenticated caller: a member of staff or a component.
// Subject identifies staff or a service account, never a pupil, so it may be
// logged and audited.
type Principal struct {
	Subject string
	// Issuer is who vouched for Subject: the OIDC issuer's URL, "kubernetes"
	// for a service account, "development" for a development token.
	Issuer string
	Role   Role
	Scope  Scope
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal. ok is false for a request that
// did not pass the authentication middleware.
func FromContext(ctx context.Context) (p Principal, ok bool) {
	p, ok = ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Caller is the principal of a request that passed the authentication
// middleware, as every handler's does. Outside one it is the zero
// principal, which has no role and sees nothing, so a mistake fails closed.
func Caller(ctx context.Context) Principal {
	p, _ := FromContext(ctx)
	return p
}
