package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/devidp"
)

// TestAuthenticatorFromConfiguration checks the authenticator Main builds
// from NEXTSTEP_AUTH_CONFIG and the development tokens: a person's token
// from a configured issuer is accepted, a development token only when
// allowed, and with nothing configured every call is refused.
func TestAuthenticatorFromConfiguration(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	idp, err := devidp.Start(ctx, devidp.Options{Audience: "nextstep",
		Users: []devidp.User{{ID: "cw", Password: "pw", Groups: []string{"caseworkers-336"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Close() })
	dir := t.TempDir()
	authConfig := filepath.Join(dir, "auth.yaml")
	write(t, authConfig, `oidc:
  - issuer: `+idp.Issuer()+`
    audiences: [nextstep]
    rolesClaim: groups
    rules:
      - {value: caseworkers-336, role: caseworker, scope: {kind: la, id: "336"}}
`)
	devTokens := filepath.Join(dir, "tokens.json")
	write(t, devTokens, `{"tokens":[{"token":"dev-analyst","subject":"analyst","role":"analyst","scope":{"kind":"la","id":"336"}}]}`)
	token, err := idp.Token(ctx, "cw")
	if err != nil {
		t.Fatal(err)
	}

	authn, err := authenticator(Config{AuthConfig: authConfig}, logger)
	if err != nil {
		t.Fatal(err)
	}
	p, err := authn.Authenticate(ctx, token)
	if err != nil || p.Subject != "cw" || p.Issuer != idp.Issuer() || p.Role != auth.RoleCaseworker || !p.Scope.Covers("", "336") {
		t.Errorf("OIDC token = %+v, %v", p, err)
	}
	if _, err := authn.Authenticate(ctx, "dev-analyst"); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("development token without development tokens configured: %v", err)
	}

	authn, err = authenticator(Config{AuthConfig: authConfig, DevTokensFile: devTokens, AllowDevTokens: true}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := authn.Authenticate(ctx, "dev-analyst"); err != nil || p.Issuer != auth.DevelopmentIssuer {
		t.Errorf("development token = %+v, %v", p, err)
	}
	if _, err := authn.Authenticate(ctx, token); err != nil {
		t.Errorf("OIDC token beside development tokens: %v", err)
	}

	authn, err = authenticator(Config{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authn.Authenticate(ctx, token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("nothing configured, yet a token is accepted: %v", err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	write(t, bad, "oidc:\n  - issuer: http://idp.example\n")
	if _, err := authenticator(Config{AuthConfig: bad}, logger); err == nil {
		t.Error("an auth config with a plain-http issuer was accepted")
	}
	if _, err := authenticator(Config{AuthConfig: filepath.Join(dir, "missing.yaml")}, logger); err == nil {
		t.Error("a missing auth config was accepted")
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRefuseRoot(t *testing.T) {
	t.Parallel()
	env := func(allow string) func(string) string {
		return func(k string) string {
			if k == AllowRootEnv {
				return allow
			}
			return ""
		}
	}
	if err := RefuseRoot(0, env("")); err == nil {
		t.Error("root accepted")
	}
	if err := RefuseRoot(0, env("yes")); err == nil {
		t.Error("root accepted with a value other than true")
	}
	if err := RefuseRoot(0, env("true")); err != nil {
		t.Errorf("root on a development machine: %v", err)
	}
	if err := RefuseRoot(65532, env("")); err != nil {
		t.Errorf("an unprivileged user: %v", err)
	}
}

// TestProfilerLoopbackOnly checks NEXTSTEP_PPROF_LISTEN: off by default,
// and refused on any address but loopback.
func TestProfilerLoopbackOnly(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{
		"":               true,
		"127.0.0.1:6060": true,
		"[::1]:6060":     true,
		"localhost:6060": true,
		":6060":          false,
		"0.0.0.0:6060":   false,
		"10.0.0.7:6060":  false,
		"127.0.0.1":      false,
	} {
		c, err := ConfigFromEnv(Spec{Name: "pupil"}, func(k string) string {
			if k == "NEXTSTEP_PPROF_LISTEN" {
				return addr
			}
			return ""
		})
		if (err == nil) != ok {
			t.Errorf("NEXTSTEP_PPROF_LISTEN=%q: err %v, want accepted %v", addr, err, ok)
		}
		if ok && c.PprofListen != addr {
			t.Errorf("NEXTSTEP_PPROF_LISTEN=%q read as %q", addr, c.PprofListen)
		}
	}
}
