package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	authv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/auth/v1"
)

// DevelopmentIssuer is the Issuer of a principal a development token
// proved.
const DevelopmentIssuer = "development"

// Authenticator turns a bearer token into a principal. It returns
// ErrUnauthenticated for a token it does not accept.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// ErrUnauthenticated is returned for a missing, unknown or expired token.
var ErrUnauthenticated = errors.New("unauthenticated")

// DevTokens accepts a fixed set of tokens from configuration, for local
// development and tests only. Production uses OpenID Connect.
type DevTokens struct {
	byToken map[string]Principal
}

// devTokenFile is the layout of the file named by NEXTSTEP_DEV_TOKENS_FILE
// (NEXTSTEP_DEV_TOKENS_FILE, allowed only with NEXTSTEP_ALLOW_DEV_TOKENS=true outside a cluster).
type devTokenFile struct {
	Tokens []struct {
		Token   string `json:"token"`
		Subject string `json:"subject"`
		Role    string `json:"role"`
		Scope   *Scope `json:"scope"`
	} `json:"tokens"`
}

// LoadDevTokens reads a development token file.
func LoadDevTokens(path string) (*DevTokens, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read dev tokens: %w", err)
	}
	return ParseDevTokens(data)
}

// ParseDevTokens parses the JSON of a development token file, refusing any
// entry that is incomplete so that a typo cannot widen access.
func ParseDevTokens(data []byte) (*DevTokens, error) {
	var f devTokenFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse dev tokens: %w", err)
	}
	d := &DevTokens{byToken: make(map[string]Principal, len(f.Tokens))}
	for i, t := range f.Tokens {
		role, err := ParseRole(t.Role)
		if err != nil {
			return nil, fmt.Errorf("dev token %d: %w", i, err)
		}
		if t.Scope == nil {
			return nil, fmt.Errorf("dev token %d: scope is required", i)
		}
		p := Principal{Subject: t.Subject, Issuer: DevelopmentIssuer, Role: role, Scope: *t.Scope}
		if len(t.Token) < 8 {
			return nil, fmt.Errorf("dev token %d: token must be at least 8 characters", i)
		}
		if t.Subject == "" {
			return nil, fmt.Errorf("dev token %d: subject is required", i)
		}
		if _, dup := d.byToken[t.Token]; dup {
			return nil, fmt.Errorf("dev token %d: token repeats an earlier one", i)
		}
		d.byToken[t.Token] = p
	}
	return d, nil
}

// Authenticate implements Authenticator.
func (d *DevTokens) Authenticate(_ context.Context, token string) (Principal, error) {
	p, ok := d.byToken[token]
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	return p, nil
}

// ParseRole parses a role's short name: hub_admin, caseworker,
// careers_leader, analyst or service.
func ParseRole(s string) (Role, error) {
	v, ok := authv1.Role_value["ROLE_"+strings.ToUpper(s)]
	if !ok || v == 0 {
		return 0, fmt.Errorf("unknown role %q", s)
	}
	return Role(v), nil
}
