package auth_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/devidp"
)

const audience = "nextstep"

// users are one person per role and scope, and one whose groups no rule
// matches.
var users = []devidp.User{
	{ID: "hub-admin", Password: "hub-admin-pw", Groups: []string{"staff", "nextstep-hub-admins"}},
	{ID: "caseworker", Password: "caseworker-pw", Groups: []string{"caseworkers-336"}},
	{ID: "careers-leader", Password: "careers-leader-pw", Groups: []string{"careers-136001"}},
	{ID: "analyst", Password: "analyst-pw", Groups: []string{"analysts-wmca"}},
	{ID: "outsider", Password: "outsider-pw", Groups: []string{"library-staff"}},
}

// issuerConfig is the configuration a service would be given for the
// provider, read as the service reads it.
func issuerConfig(t testing.TB, issuer string) auth.IssuerConfig {
	t.Helper()
	cfg, err := auth.ParseConfig(fmt.Appendf(nil, `
oidc:
  - issuer: %s
    audiences: [%s]
    rolesClaim: groups
    rules:
      - value: nextstep-hub-admins
        role: hub_admin
        scope: {kind: hub, id: wmca, la_codes: ["330", "336"]}
      - value: caseworkers-336
        role: caseworker
        scope: {kind: la, id: "336"}
      - value: careers-136001
        role: careers_leader
        scope: {kind: school, id: "136001"}
      - value: analysts-wmca
        role: analyst
        scope: {kind: hub, id: wmca, la_codes: ["330", "336"]}
`, issuer, audience))
	if err != nil {
		t.Fatal(err)
	}
	return cfg.OIDC[0]
}

func startProvider(t testing.TB) *devidp.Provider {
	t.Helper()
	p, err := devidp.Start(context.Background(), devidp.Options{Audience: audience, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// counter counts the requests an authenticator makes of the provider, and
// can make its key fetches fail or hang.
type counter struct {
	discovery, keys atomic.Int64
	// failKeys answers key fetches 503.
	failKeys atomic.Bool
	// hold, when set before the fetch, holds key fetches until it is
	// closed; each held fetch is announced on held.
	hold, held chan struct{}
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		c.discovery.Add(1)
	case devidp.KeysPath:
		c.keys.Add(1)
		if c.failKeys.Load() {
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable",
				Body: http.NoBody, Header: http.Header{}, Request: r}, nil
		}
		if c.hold != nil {
			c.held <- struct{}{}
			<-c.hold
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// clock is a test's time, moved on by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

const refreshEvery = time.Minute

// fixture is an authenticator for one provider's issuer, with the requests
// it makes counted and its clock in the test's hands.
type fixture struct {
	p     *devidp.Provider
	oidc  *auth.OIDC
	calls *counter
	clock *clock
}

func newFixture(t testing.TB, p *devidp.Provider) *fixture {
	t.Helper()
	f := &fixture{p: p, calls: &counter{}, clock: &clock{now: time.Now()}}
	f.oidc = auth.NewOIDC([]auth.IssuerConfig{issuerConfig(t, p.Issuer())}, slog.New(slog.DiscardHandler), auth.OIDCOptions{
		HTTPClient:         &http.Client{Transport: f.calls, Timeout: 5 * time.Second},
		KeyRefreshInterval: refreshEvery,
		Now:                f.clock.Now,
	})
	return f
}

func token(t testing.TB, p *devidp.Provider, user string) string {
	t.Helper()
	tok, err := p.Token(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func sign(t testing.TB, p *devidp.Provider, claims map[string]any, kid string) string {
	t.Helper()
	tok, err := p.Sign(claims, kid)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func wmca() auth.Scope { return auth.LocalAuthorities("330", "336") }

func TestOIDCGenuineTokens(t *testing.T) {
	p := startProvider(t)
	f := newFixture(t, p)
	for user, want := range map[string]auth.Principal{
		"hub-admin":      {Role: auth.RoleHubAdmin, Scope: wmca()},
		"caseworker":     {Role: auth.RoleCaseworker, Scope: auth.LocalAuthorities("336")},
		"careers-leader": {Role: auth.RoleCareersLeader, Scope: auth.School("136001")},
		"analyst":        {Role: auth.RoleAnalyst, Scope: wmca()},
	} {
		t.Run(user, func(t *testing.T) {
			got, err := f.oidc.Authenticate(t.Context(), token(t, p, user))
			if err != nil {
				t.Fatal(err)
			}
			want.Subject, want.Issuer = user, p.Issuer()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
	// Chain sends a token of the issuer to it.
	got, err := auth.Chain{OIDC: f.oidc}.Authenticate(t.Context(), token(t, p, "caseworker"))
	if err != nil || got.Subject != "caseworker" {
		t.Errorf("through Chain: %+v, %v", got, err)
	}
	// Expired, but within the clock skew (30s).
	c := p.Claims("caseworker")
	c["exp"] = time.Now().Add(-10 * time.Second).Unix()
	if _, err := f.oidc.Authenticate(t.Context(), sign(t, p, c, "")); err != nil {
		t.Errorf("a token expired 10s ago, within the skew: %v", err)
	}
}

// badToken is a token every service must refuse, and what the log says of
// it.
type badToken struct {
	name, token, reason string
}

// badTokens builds the tokens to refuse: each wrong in one way, most
// otherwise genuine (signed with the provider's own key).
func badTokens(t testing.TB, p *devidp.Provider) []badToken {
	t.Helper()
	now := time.Now()
	claims := func(edit func(map[string]any)) map[string]any {
		c := p.Claims("hub-admin")
		edit(c)
		return c
	}
	other, err := devidp.Start(context.Background(), devidp.Options{Audience: audience, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	genuine := token(t, p, "caseworker")
	parts := strings.Split(genuine, ".")
	asHubAdmin := base64.RawURLEncoding.EncodeToString(mustJSON(t, claims(func(map[string]any) {})))

	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(mustJSON(t, p.Claims("hub-admin"))) + "."

	pub := publicKey(t, p)
	der, err := x509.MarshalPKIXPublicKey(pub.Key)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})

	return []badToken{
		{"expired beyond the skew", sign(t, p, claims(func(c map[string]any) {
			c["iat"], c["nbf"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-time.Hour).Unix(), now.Add(-2*time.Minute).Unix()
		}), ""), "the token has expired"},
		{"not yet valid", sign(t, p, claims(func(c map[string]any) {
			c["nbf"], c["exp"] = now.Add(time.Hour).Unix(), now.Add(2*time.Hour).Unix()
		}), ""), "before the nbf"},
		{"from an issuer not configured", token(t, other, "hub-admin"), "issuer is not one this service trusts"},
		{"iss changed", sign(t, p, claims(func(c map[string]any) { c["iss"] = "https://login.example/realms/other" }), ""), "issuer is not one this service trusts"},
		{"no iss", sign(t, p, claims(func(c map[string]any) { delete(c, "iss") }), ""), "issuer is not one this service trusts"},
		{"the configured iss, signed by another provider", sign(t, other, claims(func(c map[string]any) { c["iss"] = p.Issuer() }), ""), "a key the issuer does not publish"},
		{"wrong audience", sign(t, p, claims(func(c map[string]any) { c["aud"] = []string{"another-service"} }), ""), "not for this service's audience"},
		{"no audience", sign(t, p, claims(func(c map[string]any) { delete(c, "aud") }), ""), "not for this service's audience"},
		{"no subject", sign(t, p, claims(func(c map[string]any) { delete(c, "sub") }), ""), "no sub claim"},
		{"alg none", none, `algorithm \"none\" is not one`},
		{"HS256 with the public key's PEM", hs256(t, pemKey, pub.KeyID, p.Claims("hub-admin")), `algorithm \"HS256\" is not one`},
		{"HS256 with the public key's DER", hs256(t, der, pub.KeyID, p.Claims("hub-admin")), `algorithm \"HS256\" is not one`},
		{"a kid unknown after one refresh", sign(t, p, p.Claims("hub-admin"), "kid-"+rand.Text()), "a key the issuer does not publish"},
		{"claims changed after signing", parts[0] + "." + asHubAdmin + "." + parts[2], "signature does not verify"},
		{"signature of another token", parts[0] + "." + parts[1] + "." + strings.Split(token(t, p, "hub-admin"), ".")[2], "signature does not verify"},
		{"groups no rule matches", token(t, p, "outsider"), "no rule of issuer"},
		{"garbage", "garbage-" + rand.Text(), "not a signed JWT"},
		{"empty", "", "not a signed JWT"},
		{"three dots", "a.b.c", "not a signed JWT"},
		{"base64 of nothing", "eyJ9.eyJ9.eyJ9", "not a signed JWT"},
		{"a JWE shape", "eyJhbGciOiJSU0EtT0FFUCJ9." + rand.Text() + "." + rand.Text() + "." + rand.Text() + "." + rand.Text(), "not a signed JWT"},
		{"header only", parts[0], "not a signed JWT"},
		{"no signature", parts[0] + "." + parts[1] + ".", "signature does not verify"},
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publicKey is the provider's signing key as its JWKS publishes it: all an
// attacker has.
func publicKey(t testing.TB, p *devidp.Provider) jose.JSONWebKey {
	t.Helper()
	res, err := http.Get(p.Issuer() + devidp.KeysPath)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("JWKS has %d keys", len(set.Keys))
	}
	return set.Keys[0]
}

// hs256 signs claims with HMAC-SHA256 and secret, by hand: the algorithm
// confusion attack, with the public key as the secret.
func hs256(t testing.TB, secret []byte, kid string, claims map[string]any) string {
	t.Helper()
	input := base64.RawURLEncoding.EncodeToString(mustJSON(t, map[string]string{"alg": "HS256", "typ": "JWT", "kid": kid})) +
		"." + base64.RawURLEncoding.EncodeToString(mustJSON(t, claims))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestOIDCRefuses(t *testing.T) {
	p := startProvider(t)
	f := newFixture(t, p)
	for _, bad := range badTokens(t, p) {
		t.Run(bad.name, func(t *testing.T) {
			for _, a := range []auth.Authenticator{f.oidc, auth.Chain{OIDC: f.oidc}} {
				p, err := a.Authenticate(t.Context(), bad.token)
				if !errors.Is(err, auth.ErrUnauthenticated) || auth.Unavailable(err) {
					t.Fatalf("%T: principal %+v, err %v; want ErrUnauthenticated", a, p, err)
				}
			}
		})
	}
	// However many bad tokens, the keys were fetched once: the unknown kid
	// asks for them again only once the refresh interval has passed since
	// the first fetch, and the test's clock has not moved.
	if n := f.calls.keys.Load(); n != 1 {
		t.Errorf("the keys were fetched %d times, want 1", n)
	}
}

func TestOIDCKeysCached(t *testing.T) {
	p := startProvider(t)
	f := newFixture(t, p)
	for range 5 {
		for _, u := range []string{"hub-admin", "caseworker"} {
			if _, err := f.oidc.Authenticate(t.Context(), token(t, p, u)); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.advance(time.Hour / 10) // however long, keys that verify are kept
	}
	if d, k := f.calls.discovery.Load(), f.calls.keys.Load(); d != 1 || k != 1 {
		t.Errorf("%d discoveries and %d key fetches for 10 tokens, want 1 and 1", d, k)
	}
}

func TestOIDCKeyRotation(t *testing.T) {
	p := startProvider(t)
	f := newFixture(t, p)
	before := token(t, p, "caseworker")
	if _, err := f.oidc.Authenticate(t.Context(), before); err != nil {
		t.Fatal(err)
	}
	if err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	f.clock.advance(refreshEvery) // the provider rotates long after the keys were fetched
	after := token(t, p, "caseworker")
	if _, err := f.oidc.Authenticate(t.Context(), after); err != nil {
		t.Fatalf("a token signed with the new key: %v", err)
	}
	if n := f.calls.keys.Load(); n != 2 {
		t.Errorf("the keys were fetched %d times, want 2 (once more for the new kid)", n)
	}
	for range 3 {
		if _, err := f.oidc.Authenticate(t.Context(), after); err != nil {
			t.Fatal(err)
		}
	}
	// The provider dropped the old key, and so does the cache.
	if _, err := f.oidc.Authenticate(t.Context(), before); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("a token signed with the dropped key: %v, want ErrUnauthenticated", err)
	}
	if n := f.calls.keys.Load(); n != 2 {
		t.Errorf("the keys were fetched %d times, want 2", n)
	}
}

func TestOIDCFloodOfUnknownKeys(t *testing.T) {
	p := startProvider(t)
	f := newFixture(t, p)
	if _, err := f.oidc.Authenticate(t.Context(), token(t, p, "analyst")); err != nil {
		t.Fatal(err)
	}
	flood := func() {
		t.Helper()
		var wg sync.WaitGroup
		for range 100 {
			tok := sign(t, p, p.Claims("hub-admin"), rand.Text())
			wg.Go(func() {
				if _, err := f.oidc.Authenticate(t.Context(), tok); !errors.Is(err, auth.ErrUnauthenticated) {
					t.Errorf("a made-up kid: %v, want ErrUnauthenticated", err)
				}
			})
		}
		wg.Wait()
	}
	flood()
	if n := f.calls.keys.Load(); n != 1 {
		t.Errorf("100 made-up kids within the refresh interval of the first fetch: %d fetches in all, want 1", n)
	}
	for i := range 3 {
		f.clock.advance(refreshEvery)
		flood()
		if n, want := f.calls.keys.Load(), int64(2+i); n != want {
			t.Errorf("interval %d: %d fetches in all, want %d (one per interval)", i+1, n, want)
		}
	}
	// Genuine tokens still verify, from the cache.
	if _, err := f.oidc.Authenticate(t.Context(), token(t, p, "analyst")); err != nil {
		t.Error(err)
	}
}

func TestOIDCIssuerDown(t *testing.T) {
	t.Run("keys cached", func(t *testing.T) {
		p := startProvider(t)
		f := newFixture(t, p)
		tok := token(t, p, "caseworker")
		if _, err := f.oidc.Authenticate(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
		unknown := sign(t, p, p.Claims("caseworker"), "kid-"+rand.Text())
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		f.clock.advance(10 * refreshEvery)
		if _, err := f.oidc.Authenticate(t.Context(), tok); err != nil {
			t.Errorf("a token signed with a cached key while the issuer is down: %v", err)
		}
		// An unknown kid tries the issuer, which is down: still a bad
		// token, since the cached keys are the issuer's last word.
		if _, err := f.oidc.Authenticate(t.Context(), unknown); !errors.Is(err, auth.ErrUnauthenticated) || auth.Unavailable(err) {
			t.Errorf("an unknown kid while the issuer is down: %v, want ErrUnauthenticated", err)
		}
		if _, err := f.oidc.Authenticate(t.Context(), tok); err != nil {
			t.Errorf("after a failed refresh: %v", err)
		}
	})

	t.Run("never reached", func(t *testing.T) {
		p := startProvider(t)
		f := newFixture(t, p)
		addr := strings.TrimPrefix(p.Issuer(), "http://")
		tok := token(t, p, "caseworker")
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		_, err := f.oidc.Authenticate(t.Context(), tok)
		if !auth.Unavailable(err) || errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("first token of an issuer that is down: %v, want Unavailable", err)
		}
		if strings.Contains(err.Error(), tok) {
			t.Error("the error holds the token")
		}
		// The issuer comes back on its address; discovery is retried
		// after a pause, not on every token.
		back, err := devidp.Start(t.Context(), devidp.Options{Addr: addr, Audience: audience, Users: users})
		if err != nil {
			t.Skipf("cannot listen on %s again: %v", addr, err)
		}
		t.Cleanup(func() { _ = back.Close() })
		tok = token(t, back, "caseworker")
		calls := f.calls.discovery.Load()
		if _, err := f.oidc.Authenticate(t.Context(), tok); !auth.Unavailable(err) {
			t.Errorf("moments after a failed discovery: %v, want Unavailable", err)
		}
		if n := f.calls.discovery.Load(); n != calls {
			t.Errorf("discovery was retried at once")
		}
		f.clock.advance(11 * time.Second)
		if _, err := f.oidc.Authenticate(t.Context(), tok); err != nil {
			t.Errorf("once the issuer is back: %v", err)
		}
	})
}

// TestOIDCKeysNeverFetched: while the issuer's keys have never been fetched,
// a token cannot be checked, which is not the token's fault: every one is
// answered Unavailable, not only the one whose fetch failed.
func TestOIDCKeysNeverFetched(t *testing.T) {
	p := startProvider(t)
	f := newFixture(t, p)
	f.calls.failKeys.Store(true)
	tok := token(t, p, "caseworker")
	for i := range 3 {
		if _, err := f.oidc.Authenticate(t.Context(), tok); !auth.Unavailable(err) || errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("token %d while the keys cannot be fetched: %v, want Unavailable", i+1, err)
		}
	}
	if n := f.calls.keys.Load(); n != 1 {
		t.Errorf("%d key fetches within the refresh interval, want 1", n)
	}
	f.calls.failKeys.Store(false)
	f.clock.advance(refreshEvery)
	if _, err := f.oidc.Authenticate(t.Context(), tok); err != nil {
		t.Errorf("once the keys can be fetched: %v", err)
	}
}

// TestOIDCSlowRefreshDoesNotStall: while a refresh prompted by an unknown
// kid waits on a slow issuer, tokens signed with cached keys still verify
// at once.
func TestOIDCSlowRefreshDoesNotStall(t *testing.T) {
	p := startProvider(t)
	f := newFixture(t, p)
	tok := token(t, p, "caseworker")
	if _, err := f.oidc.Authenticate(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	f.calls.hold, f.calls.held = make(chan struct{}), make(chan struct{}, 1)
	f.clock.advance(refreshEvery)
	unknown := sign(t, p, p.Claims("caseworker"), "kid-"+rand.Text())
	refreshed := make(chan error, 1)
	go func() {
		_, err := f.oidc.Authenticate(context.Background(), unknown)
		refreshed <- err
	}()
	<-f.calls.held // the refresh is under way, and hangs
	verified := make(chan error, 1)
	go func() {
		_, err := f.oidc.Authenticate(context.Background(), tok)
		verified <- err
	}()
	select {
	case err := <-verified:
		if err != nil {
			t.Errorf("a token with a cached key during a refresh: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Error("a token with a cached key waited for the refresh")
		defer func() { <-verified }()
	}
	close(f.calls.hold)
	if err := <-refreshed; !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("the unknown kid: %v, want ErrUnauthenticated", err)
	}
}

// TestMiddlewareNeverLogsTheToken: every refused token is answered
// Unauthenticated with its reason in the log, and neither the token nor its
// signature is ever logged.
func TestMiddlewareNeverLogsTheToken(t *testing.T) {
	p := startProvider(t)
	f := newFixture(t, p)
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reached := false
	h := auth.Middleware(auth.Chain{OIDC: f.oidc}, logger, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))

	call := func(tok string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/nextstep.pupil.v1.PupilService/GetSchool", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	check := func(name, tok string, wantStatus int, wantLog string) {
		t.Helper()
		log.Reset()
		reached = false
		rec := call(tok)
		if rec.Code != wantStatus || reached {
			t.Errorf("%s: %d (handler reached: %v), want %d", name, rec.Code, reached, wantStatus)
		}
		logged := log.String()
		if !strings.Contains(logged, wantLog) {
			t.Errorf("%s: log %q lacks %q", name, logged, wantLog)
		}
		if len(tok) >= 8 && (strings.Contains(logged, tok) || strings.Contains(rec.Body.String(), tok)) {
			t.Errorf("%s: the token is in the log or the answer:\n%s", name, logged)
		}
		if parts := strings.Split(tok, "."); len(parts) == 3 && len(parts[2]) >= 16 && strings.Contains(logged, parts[2]) {
			t.Errorf("%s: the token's signature is in the log:\n%s", name, logged)
		}
	}

	for _, bad := range badTokens(t, p) {
		if bad.token == "" {
			continue // no bearer token at all: refused before anything is logged
		}
		check(bad.name, bad.token, http.StatusUnauthorized, bad.reason)
	}
	genuine := token(t, p, "careers-leader")
	log.Reset()
	if rec := call(genuine); rec.Code != http.StatusOK || !reached {
		t.Errorf("a genuine token: %d", rec.Code)
	}
	if strings.Contains(log.String(), genuine) {
		t.Error("a genuine token was logged")
	}

	// An issuer that cannot be reached: Unavailable, logged as an error,
	// still without the token.
	down := startProvider(t)
	downFixture := newFixture(t, down)
	tok := token(t, down, "caseworker")
	_ = down.Close()
	h = auth.Middleware(auth.Chain{OIDC: downFixture.oidc}, logger, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	check("an issuer that is down", tok, http.StatusServiceUnavailable, "level=ERROR")
}

// BenchmarkOIDCVerifyCached is one bearer JWT verified with the issuer's
// keys cached: what every call to a service pays.
func BenchmarkOIDCVerifyCached(b *testing.B) {
	p := startProvider(b)
	f := newFixture(b, p)
	tok := token(b, p, "caseworker")
	if _, err := f.oidc.Authenticate(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.oidc.Authenticate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
