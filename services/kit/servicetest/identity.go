package servicetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/devidp"
)

// Audience is the audience the test services accept and the development
// provider's tokens are for.
const Audience = "nextstep"

// identity is the development OpenID Connect provider the test people sign
// in with: one per test binary, started on first use and left running
// until the binary exits, with a token per person fetched once (they last
// an hour, longer than any test binary runs).
var identity struct {
	once     sync.Once
	provider *devidp.Provider
	config   auth.Config
	err      error

	mu     sync.Mutex
	tokens map[string]string
}

// people are the callers who sign in with the provider: everyone but the
// service.
func people() []string {
	var names []string
	for name, p := range Principals {
		if p.Role != auth.RoleService {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func startIdentity() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var users []devidp.User
	issuer := auth.IssuerConfig{Audiences: []string{Audience}, RolesClaim: "groups"}
	for _, name := range people() {
		p := Principals[name]
		// The caller's name is its group, which a rule gives its role and
		// scope, as a hub's configuration does.
		users = append(users, devidp.User{ID: p.Subject, Password: Password, Groups: []string{name}})
		scope := p.Scope
		issuer.Rules = append(issuer.Rules, auth.Rule{Value: name, Role: roleName(p.Role), Scope: &scope})
	}
	identity.provider, identity.err = devidp.Start(ctx, devidp.Options{Audience: Audience, Users: users})
	if identity.err != nil {
		return
	}
	issuer.Issuer = identity.provider.Issuer()
	// Through YAML and ParseConfig, as a service reads its configuration,
	// so the rules are checked as a hub's would be.
	data, err := yaml.Marshal(auth.Config{OIDC: []auth.IssuerConfig{issuer}})
	if err != nil {
		identity.err = err
		return
	}
	identity.config, identity.err = auth.ParseConfig(data)
	identity.tokens = map[string]string{}
}

func ensureIdentity() error {
	identity.once.Do(startIdentity)
	if identity.err != nil {
		return fmt.Errorf("servicetest: development identity provider: %w", identity.err)
	}
	return nil
}

// Issuer is the development provider's issuer: the Issuer of every
// person's Principal, and of their audit rows.
func Issuer() string {
	if err := ensureIdentity(); err != nil {
		panic(err)
	}
	return identity.provider.Issuer()
}

// Password is every person's password at the development provider, for
// tests that sign in through its login page (the web console's).
const Password = "password"

// AuthConfig is the configuration the test services authenticate people
// with: the development provider's issuer and the rules that give each
// caller's group its role and scope. The web console reads the same, to
// know whom it signed in.
func AuthConfig() auth.Config {
	if err := ensureIdentity(); err != nil {
		panic(err)
	}
	return identity.config
}

// AllowConsole registers redirectURI for the development provider's
// nextstep-console client, so a console under test can sign people in with
// the authorization code flow. It returns the provider's issuer.
func AllowConsole(t testing.TB, redirectURI string) string {
	t.Helper()
	if err := ensureIdentity(); err != nil {
		t.Fatal(err)
	}
	if err := identity.provider.AddConsoleRedirectURI(redirectURI); err != nil {
		t.Fatal(err)
	}
	return identity.provider.Issuer()
}

// Token is the bearer token of the named caller: an access token from the
// development provider for a person, the development token for the
// service. An unknown name is sent as it is, as a forged token would be.
func Token(caller string) string {
	p, ok := Principals[caller]
	if !ok || p.Role == auth.RoleService {
		return caller
	}
	if err := ensureIdentity(); err != nil {
		panic(err)
	}
	identity.mu.Lock()
	defer identity.mu.Unlock()
	if t, ok := identity.tokens[caller]; ok {
		return t
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t, err := identity.provider.Token(ctx, p.Subject)
	if err != nil {
		panic(fmt.Sprintf("servicetest: token for %s: %v", caller, err))
	}
	identity.tokens[caller] = t
	return t
}

// Bearer is the Authorization header value of the named caller.
func Bearer(caller string) string { return "Bearer " + Token(caller) }

// Authenticator is what the test services check tokens with: the
// development provider's tokens by OpenID Connect, and the service's
// development token, through the same configuration parsing as a service.
func Authenticator(t testing.TB) auth.Authenticator {
	t.Helper()
	if err := ensureIdentity(); err != nil {
		t.Fatal(err)
	}
	return auth.Chain{
		Dev:  serviceTokens(t),
		OIDC: auth.NewOIDC(identity.config.OIDC, slog.New(slog.NewTextHandler(io.Discard, nil)), auth.OIDCOptions{}),
	}
}

// serviceTokens are the development tokens of the service callers.
func serviceTokens(t testing.TB) *auth.DevTokens {
	type entry struct {
		Token   string     `json:"token"`
		Subject string     `json:"subject"`
		Role    string     `json:"role"`
		Scope   auth.Scope `json:"scope"`
	}
	var file struct {
		Tokens []entry `json:"tokens"`
	}
	for name, p := range Principals {
		if p.Role == auth.RoleService {
			file.Tokens = append(file.Tokens, entry{Token: name, Subject: p.Subject, Role: roleName(p.Role), Scope: p.Scope})
		}
	}
	data, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	d, err := auth.ParseDevTokens(data)
	if err != nil {
		t.Fatalf("servicetest: %v", err)
	}
	return d
}

// roleName is a role as configuration writes it: hub_admin.
func roleName(r auth.Role) string { return strings.ToLower(strings.TrimPrefix(r.String(), "ROLE_")) }
