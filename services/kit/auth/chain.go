package auth

import (
	"context"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Chain authenticates a bearer token with the authenticator made for it: a
// development token by lookup; a JWT from one of the OIDC issuers by that
// issuer; any other JWT, when Kubernetes is set, by the API server's
// TokenReview (a service-account token). Which one is read from the token's
// iss claim before anything is verified, so it decides nothing by itself.
type Chain struct {
	Dev        *DevTokens
	OIDC       *OIDC
	Kubernetes Authenticator
}

// cache is an authenticator that remembers the tokens it has accepted.
type cache interface {
	// Accepted returns the principal of a token it accepted and still
	// holds as accepted; ok is false for any other.
	Accepted(token string) (p Principal, ok bool)
}

// Authenticate implements Authenticator.
func (c Chain) Authenticate(ctx context.Context, token string) (Principal, error) {
	if c.Dev != nil {
		if p, err := c.Dev.Authenticate(ctx, token); err == nil {
			return p, nil
		}
	}
	// A service-account token the API server has already accepted (its
	// SHA-256 is in the TokenReview cache) is answered without parsing it
	// again: the same token has the same issuer, so it would come to the
	// same place. The parse was a tenth of a small call's CPU.
	if k, ok := c.Kubernetes.(cache); ok {
		if p, ok := k.Accepted(token); ok {
			return p, nil
		}
	}
	iss, err := unverifiedIssuer(token)
	if err != nil {
		return Principal{}, err
	}
	switch {
	case c.OIDC != nil && c.OIDC.Issues(iss):
		return c.OIDC.Authenticate(ctx, token)
	case c.Kubernetes != nil:
		return c.Kubernetes.Authenticate(ctx, token)
	}
	return Principal{}, refused("the token's issuer is not one this service trusts")
}

// unverifiedIssuer reads a JWT's iss claim without checking anything, to
// choose who checks it.
func unverifiedIssuer(token string) (string, error) {
	t, err := jwt.ParseSigned(token, asymmetric)
	if err != nil {
		// go-jose reports an algorithm outside the list (none, an HMAC)
		// as ErrUnexpectedSignatureAlgorithm, not ErrUnsupportedAlgorithm.
		var unexpected *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &unexpected) {
			return "", refused(fmt.Sprintf("the token's algorithm %.16q is not one a signed token may use", unexpected.Got))
		}
		if errors.Is(err, jose.ErrUnsupportedAlgorithm) {
			return "", refused("the token's algorithm is not one a signed token may use")
		}
		return "", refused("the token is not a signed JWT")
	}
	var claims jwt.Claims
	if err := t.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return "", refused("the token's claims are not JSON")
	}
	return claims.Issuer, nil
}

// Unavailable reports whether err says a token could not be checked now
// (its issuer or the API server cannot be reached), not that it is bad.
func Unavailable(err error) bool {
	var u *unavailableError
	return errors.As(err, &u)
}
