package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// OIDC authenticates people by the bearer JWTs their organisation's
// identity provider issues, with go-oidc: the provider's discovery document
// and signing keys (JWKS), the signature, iss, aud, exp and nbf. The claims
// then become a role and a scope by the issuer's rules.
//
// Keys are cached. A token signed with a key the cache does not hold makes
// the keys be fetched again, at most once a minute per issuer, so a flood
// of made-up key ids cannot flood the provider; while the provider is down,
// tokens signed with a cached key still verify.
type OIDC struct {
	issuers map[string]*issuer
	logger  *slog.Logger
}

// asymmetric are the signature algorithms a token may use: never none,
// never an HMAC (which a public key could be misused to forge).
var asymmetric = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// OIDCOptions tune an OIDC authenticator; the zero value is production's.
type OIDCOptions struct {
	// HTTPClient fetches discovery documents and keys; one with a 10s
	// timeout when nil.
	HTTPClient *http.Client
	// KeyRefreshInterval is the least time between two fetches of an
	// issuer's keys prompted by an unknown key; a minute when 0.
	KeyRefreshInterval time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// NewOIDC returns an authenticator for the issuers. It does not call them:
// each is discovered on the first token it signs, and again after a failure.
func NewOIDC(issuers []IssuerConfig, logger *slog.Logger, opts OIDCOptions) *OIDC {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.KeyRefreshInterval == 0 {
		opts.KeyRefreshInterval = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	o := &OIDC{issuers: map[string]*issuer{}, logger: logger}
	for _, cfg := range issuers {
		o.issuers[cfg.Issuer] = &issuer{cfg: cfg, opts: opts}
	}
	return o
}

// Issues reports whether iss is one of the authenticator's issuers.
func (o *OIDC) Issues(iss string) bool {
	_, ok := o.issuers[iss]
	return ok
}

// Authenticate implements Authenticator for a token from iss, which the
// caller read, unverified, from the token (Chain does).
func (o *OIDC) Authenticate(ctx context.Context, token string) (Principal, error) {
	iss, err := unverifiedIssuer(token)
	if err != nil {
		return Principal{}, err
	}
	i, ok := o.issuers[iss]
	if !ok {
		return Principal{}, refused("the token's issuer is not one this service trusts")
	}
	verifier, err := i.verifier(ctx)
	if err != nil {
		return Principal{}, err
	}
	// go-oidc flattens the key set's error into a string, so the key set
	// reports "cannot reach the issuer" beside it.
	var keysUnavailable error
	idToken, err := verifier.Verify(context.WithValue(ctx, keyFailureKey{}, &keysUnavailable), token)
	if err != nil {
		var expired *oidc.TokenExpiredError
		switch {
		case keysUnavailable != nil:
			return Principal{}, keysUnavailable
		case errors.As(err, &expired):
			return Principal{}, refused("the token has expired")
		}
		return Principal{}, refused(fmt.Sprintf("the token does not verify: %v", err))
	}
	if !slices.ContainsFunc(idToken.Audience, func(a string) bool { return slices.Contains(i.cfg.Audiences, a) }) {
		return Principal{}, refused("the token is not for this service's audience")
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		return Principal{}, refused("the token's claims are not JSON")
	}
	return i.principal(claims)
}

// issuer is one provider, discovered on first use.
type issuer struct {
	cfg  IssuerConfig
	opts OIDCOptions

	mu       sync.Mutex
	v        *oidc.IDTokenVerifier
	failedAt time.Time
}

// discoveryRetry is how long after a failed discovery the next is tried;
// tokens meanwhile are answered Unavailable.
const discoveryRetry = 10 * time.Second

func (i *issuer) verifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.v != nil {
		return i.v, nil
	}
	if !i.failedAt.IsZero() && i.opts.Now().Sub(i.failedAt) < discoveryRetry {
		return nil, &unavailableError{fmt.Errorf("discovery of %s failed moments ago", i.cfg.Issuer)}
	}
	dctx, cancel := context.WithTimeout(oidc.ClientContext(context.WithoutCancel(ctx), i.opts.HTTPClient), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, i.cfg.Issuer)
	if err != nil {
		i.failedAt = i.opts.Now()
		return nil, &unavailableError{fmt.Errorf("discover %s: %w", i.cfg.Issuer, err)}
	}
	var meta struct {
		JWKSURL string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
		i.failedAt = i.opts.Now()
		return nil, &unavailableError{fmt.Errorf("discover %s: no jwks_uri", i.cfg.Issuer)}
	}
	var algs []string
	for _, a := range meta.Algs {
		if slices.Contains(asymmetric, jose.SignatureAlgorithm(a)) {
			algs = append(algs, a)
		}
	}
	skew := time.Duration(i.cfg.ClockSkewSeconds) * time.Second
	if i.cfg.ClockSkewSeconds == 0 {
		skew = 30 * time.Second
	}
	keys := &keySet{url: meta.JWKSURL, client: i.opts.HTTPClient, every: i.opts.KeyRefreshInterval, now: i.opts.Now}
	i.v = oidc.NewVerifier(i.cfg.Issuer, keys, &oidc.Config{
		// The audience is checked against the configured list afterwards.
		SkipClientIDCheck:    true,
		SupportedSigningAlgs: algs,
		// A token is accepted up to skew after its expiry.
		Now: func() time.Time { return i.opts.Now().Add(-skew) },
	})
	return i.v, nil
}

// principal applies the issuer's rules to a verified token's claims.
func (i *issuer) principal(claims map[string]any) (Principal, error) {
	subjectClaim := i.cfg.SubjectClaim
	if subjectClaim == "" {
		subjectClaim = "sub"
	}
	subject, _ := claims[subjectClaim].(string)
	if subject == "" {
		return Principal{}, refused(fmt.Sprintf("the token has no %s claim", subjectClaim))
	}
	var values []string
	switch v := claims[i.cfg.RolesClaim].(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	}
	for _, r := range i.cfg.Rules {
		if slices.Contains(values, r.Value) {
			role, _ := ParseRole(r.Role) // checked when the config was read
			return Principal{Subject: subject, Issuer: i.cfg.Issuer, Role: role, Scope: *r.Scope}, nil
		}
	}
	return Principal{}, refused(fmt.Sprintf("no rule of issuer %s matches the %d values of its %s claim %q", i.cfg.Issuer, len(values), i.cfg.RolesClaim, values))
}

// refused is an ErrUnauthenticated with the reason, for the log.
func refused(reason string) error {
	return fmt.Errorf("%w: %s", ErrUnauthenticated, reason)
}

// unavailableError is a token that could not be checked now (the provider
// cannot be reached and its keys are not cached): the caller may retry.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }
