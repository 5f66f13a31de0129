package devidp_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/nextstep-uk/nextstep/services/kit/devidp"
)

const (
	audience = "nextstep"
	redirect = "http://127.0.0.1:9/callback" // never dialled: the test stops at the redirect
)

func start(t *testing.T) *devidp.Provider {
	t.Helper()
	p, err := devidp.Start(t.Context(), devidp.Options{
		Audience: audience,
		Users: []devidp.User{
			{ID: "caseworker", Password: "caseworker-pw", Groups: []string{"caseworkers-336"}},
			{ID: "leader", Password: "leader-pw", Groups: []string{"careers-136001", "staff"}},
		},
		ConsoleRedirectURIs: []string{redirect},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

type claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  []string `json:"aud"`
	Expiry    int64    `json:"exp"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	Groups    []string `json:"groups"`
	Nonce     string   `json:"nonce"`
	AZP       string   `json:"azp"`
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestDiscovery(t *testing.T) {
	p := start(t)
	if !strings.HasPrefix(p.Issuer(), "http://127.0.0.1:") {
		t.Errorf("issuer %q, want http://127.0.0.1:PORT", p.Issuer())
	}
	var d struct {
		Issuer        string   `json:"issuer"`
		Token         string   `json:"token_endpoint"`
		Authorize     string   `json:"authorization_endpoint"`
		JWKS          string   `json:"jwks_uri"`
		Grants        []string `json:"grant_types_supported"`
		PKCE          []string `json:"code_challenge_methods_supported"`
		Algs          []string `json:"id_token_signing_alg_values_supported"`
		ResponseTypes []string `json:"response_types_supported"`
	}
	getJSON(t, p.Issuer()+"/.well-known/openid-configuration", &d)
	if d.Issuer != p.Issuer() || d.Token != p.TokenURL() || d.Token != p.Issuer()+devidp.TokenPath ||
		d.Authorize != p.Issuer()+devidp.AuthorizePath || d.JWKS != p.Issuer()+devidp.KeysPath {
		t.Errorf("discovery = %+v", d)
	}
	for _, want := range []struct {
		list []string
		v    string
	}{{d.Grants, "client_credentials"}, {d.Grants, "authorization_code"}, {d.PKCE, "S256"}, {d.Algs, "RS256"}} {
		if !slices.Contains(want.list, want.v) {
			t.Errorf("discovery lacks %s in %v", want.v, want.list)
		}
	}
	var keys jose.JSONWebKeySet
	getJSON(t, d.JWKS, &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].KeyID != p.KeyID() || !keys.Keys[0].IsPublic() || keys.Keys[0].Algorithm != "RS256" {
		t.Errorf("JWKS = %+v, want the one public key %s", keys.Keys, p.KeyID())
	}
}

// verify checks a token as a relying party would, with go-oidc.
func verify(t *testing.T, p *devidp.Provider, token, clientID string) claims {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), p.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(t.Context(), token)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientCredentials(t *testing.T) {
	p := start(t)
	token, err := p.Token(t.Context(), "leader")
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if h := jws.Signatures[0].Header; h.KeyID != p.KeyID() || h.Algorithm != "RS256" {
		t.Errorf("header kid %q alg %q, want %q RS256", h.KeyID, h.Algorithm, p.KeyID())
	}
	c := verify(t, p, token, audience)
	now := time.Now().Unix()
	if c.Issuer != p.Issuer() || c.Subject != "leader" || !slices.Equal(c.Audience, []string{audience}) ||
		!slices.Equal(c.Groups, []string{"careers-136001", "staff"}) ||
		c.Expiry-c.IssuedAt != 3600 || c.NotBefore == 0 || c.NotBefore > now || c.IssuedAt > now {
		t.Errorf("claims = %+v", c)
	}

	if _, err := p.Token(t.Context(), "nobody"); err == nil {
		t.Error("a token for a user that does not exist")
	}
	// The one-line command's request, with a wrong password.
	cmd := p.TokenCommand("caseworker")
	want := "curl -s -u caseworker:caseworker-pw -d grant_type=client_credentials -d scope=openid " + p.Issuer() + "/oauth/token"
	if cmd != want {
		t.Errorf("TokenCommand = %q, want %q", cmd, want)
	}
	req, _ := http.NewRequest(http.MethodPost, p.TokenURL(), strings.NewReader("grant_type=client_credentials&scope=openid"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("caseworker", "leader-pw")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusBadRequest {
		t.Errorf("wrong password: %s, want 401 or 400", res.Status)
	}
}

func TestStartRefuses(t *testing.T) {
	for name, o := range map[string]devidp.Options{
		"no audience":            {Users: []devidp.User{{ID: "a", Password: "b"}}},
		"beyond loopback":        {Addr: "0.0.0.0:0", Audience: audience},
		"a host name":            {Addr: "localhost:0", Audience: audience},
		"a user with a space":    {Audience: audience, Users: []devidp.User{{ID: "a b", Password: "b"}}},
		"a user without secret":  {Audience: audience, Users: []devidp.User{{ID: "a"}}},
		"a repeated user":        {Audience: audience, Users: []devidp.User{{ID: "a", Password: "b"}, {ID: "a", Password: "c"}}},
		"the console as a user":  {Audience: audience, Users: []devidp.User{{ID: devidp.ConsoleClientID, Password: "b"}}},
		"a relative redirect":    {Audience: audience, ConsoleRedirectURIs: []string{"/callback"}},
		"a redirect with a hash": {Audience: audience, ConsoleRedirectURIs: []string{"http://127.0.0.1/cb#x"}},
	} {
		t.Run(name, func(t *testing.T) {
			if p, err := devidp.Start(t.Context(), o); err == nil {
				_ = p.Close()
				t.Error("started")
			}
		})
	}
}

func TestSignAndRotate(t *testing.T) {
	p := start(t)
	old := p.KeyID()
	c := p.Claims("caseworker")
	c["aud"] = []string{"elsewhere"}
	token, err := p.Sign(c, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := verify(t, p, token, "elsewhere"); got.Subject != "caseworker" || !slices.Equal(got.Groups, []string{"caseworkers-336"}) {
		t.Errorf("signed claims = %+v", got)
	}
	forged, err := p.Sign(c, "made-up")
	if err != nil {
		t.Fatal(err)
	}
	jws, _ := jose.ParseSignedCompact(forged, []jose.SignatureAlgorithm{jose.RS256})
	if kid := jws.Signatures[0].Header.KeyID; kid != "made-up" {
		t.Errorf("kid %q, want made-up", kid)
	}

	if err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if p.KeyID() == old {
		t.Fatal("the key id did not change")
	}
	var keys jose.JSONWebKeySet
	getJSON(t, p.Issuer()+devidp.KeysPath, &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].KeyID != p.KeyID() {
		t.Errorf("JWKS after rotation = %+v, want only %s", keys.Keys, p.KeyID())
	}
	fresh, err := p.Token(t.Context(), "caseworker")
	if err != nil {
		t.Fatal(err)
	}
	verify(t, p, fresh, audience)
}

// browser follows no redirects, so the test sees each step.
func browser() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func mustStatus(t *testing.T, res *http.Response, want int) string {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("%s %s: %s, want %d: %s", res.Request.Method, res.Request.URL, res.Status, want, body)
	}
	return string(body)
}

func authorizeURL(p *devidp.Provider, challenge, method string) string {
	q := url.Values{
		"client_id":     {devidp.ConsoleClientID},
		"redirect_uri":  {redirect},
		"response_type": {"code"},
		"scope":         {"openid"},
		"state":         {"state-1"},
		"nonce":         {"nonce-1"},
	}
	if challenge != "" {
		q.Set("code_challenge", challenge)
		q.Set("code_challenge_method", method)
	}
	return p.Issuer() + devidp.AuthorizePath + "?" + q.Encode()
}

// signIn walks the browser's part of the code flow and returns the code.
func signIn(t *testing.T, p *devidp.Provider, c *http.Client, challenge string) string {
	t.Helper()
	res, err := c.Get(authorizeURL(p, challenge, "S256"))
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, res, http.StatusFound)
	login, err := res.Location()
	if err != nil {
		t.Fatal(err)
	}
	if login.Path != devidp.LoginPath {
		t.Fatalf("authorize redirected to %s, want the login page", login)
	}
	res, err = c.Get(login.String())
	if err != nil {
		t.Fatal(err)
	}
	page := mustStatus(t, res, http.StatusOK)
	if !strings.Contains(page, `name="password"`) || strings.Contains(page, "<script") {
		t.Fatalf("login page:\n%s", page)
	}
	id := login.Query().Get("authRequestID")

	res, err = c.PostForm(p.Issuer()+devidp.LoginPath, url.Values{"authRequestID": {id}, "username": {"leader"}, "password": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	if page := mustStatus(t, res, http.StatusUnauthorized); !strings.Contains(page, "Wrong username or password") {
		t.Errorf("a wrong password's page:\n%s", page)
	}

	res, err = c.PostForm(p.Issuer()+devidp.LoginPath, url.Values{"authRequestID": {id}, "username": {"leader"}, "password": {"leader-pw"}})
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, res, http.StatusSeeOther)
	callback, err := res.Location()
	if err != nil {
		t.Fatal(err)
	}
	res, err = c.Get(callback.String())
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, res, http.StatusFound)
	back, err := res.Location()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(back.String(), redirect+"?") || back.Query().Get("state") != "state-1" || back.Query().Get("code") == "" {
		t.Fatalf("redirected back to %s", back)
	}
	return back.Query().Get("code")
}

func exchange(ctx context.Context, p *devidp.Provider, c *http.Client, code, verifier string) (*http.Response, error) {
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {redirect},
		"client_id":    {devidp.ConsoleClientID},
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

func TestCodeFlowWithPKCE(t *testing.T) {
	p := start(t)
	c := browser()
	verifier := rand.Text() + rand.Text()
	code := signIn(t, p, c, oidcS256(verifier))

	res, err := exchange(t.Context(), p, c, code, "not-"+verifier)
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, res, http.StatusBadRequest)

	res, err = exchange(t.Context(), p, c, code, verifier)
	if err != nil {
		t.Fatal(err)
	}
	var tokens struct {
		IDToken     string `json:"id_token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(mustStatus(t, res, http.StatusOK)), &tokens); err != nil {
		t.Fatal(err)
	}
	id := verify(t, p, tokens.IDToken, devidp.ConsoleClientID)
	if id.Subject != "leader" || id.Nonce != "nonce-1" || id.AZP != devidp.ConsoleClientID ||
		!slices.Equal(id.Groups, []string{"careers-136001", "staff"}) {
		t.Errorf("ID token claims = %+v", id)
	}
	access := verify(t, p, tokens.AccessToken, audience)
	if access.Subject != "leader" || !slices.Equal(access.Audience, []string{audience}) ||
		!slices.Equal(access.Groups, []string{"careers-136001", "staff"}) {
		t.Errorf("access token claims = %+v", access)
	}

	// A code is used once.
	res, err = exchange(t.Context(), p, c, code, verifier)
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, res, http.StatusBadRequest)
}

func TestCodeFlowRequiresPKCE(t *testing.T) {
	p := start(t)
	c := browser()
	other := strings.Replace(authorizeURL(p, oidcS256("x"), "S256"), url.QueryEscape(redirect), url.QueryEscape("http://127.0.0.1:9/other"), 1)
	byUser := strings.Replace(authorizeURL(p, oidcS256("x"), "S256"), devidp.ConsoleClientID, "leader", 1)
	for name, tc := range map[string]struct {
		url string
		// wantError is the error the browser is sent back with; "" when
		// the redirect URI is not to be trusted, and the answer is 400.
		wantError string
	}{
		"no challenge":                     {url: authorizeURL(p, "", ""), wantError: "invalid_request"},
		"a plain challenge":                {url: authorizeURL(p, strings.Repeat("a", 43), "plain"), wantError: "invalid_request"},
		"an unregistered redirect":         {url: other},
		"a user's client, not the console": {url: byUser},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := c.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if tc.wantError == "" {
				if res.StatusCode != http.StatusBadRequest {
					t.Fatalf("%s, want 400", res.Status)
				}
				return
			}
			loc, err := res.Location()
			if res.StatusCode != http.StatusFound || err != nil {
				t.Fatalf("%s, want a redirect back with an error", res.Status)
			}
			if !strings.HasPrefix(loc.String(), redirect+"?") || loc.Query().Get("error") != tc.wantError {
				t.Fatalf("redirected to %s, want %s?error=%s", loc, redirect, tc.wantError)
			}
		})
	}
}

// oidcS256 is RFC 7636's S256 code challenge of verifier.
func oidcS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestAddConsoleRedirectURI: a redirect URI registered after the start is
// accepted, one never registered still is not, and a bad one is refused.
func TestAddConsoleRedirectURI(t *testing.T) {
	p := start(t)
	c := browser()
	later := "http://127.0.0.1:9/later"
	laterURL := strings.Replace(authorizeURL(p, oidcS256("x"), "S256"), url.QueryEscape(redirect), url.QueryEscape(later), 1)
	status := func() int {
		res, err := c.Get(laterURL)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := status(); got != http.StatusBadRequest {
		t.Fatalf("before it is added: %d, want 400", got)
	}
	for _, bad := range []string{"/relative", "http://127.0.0.1/cb#x", "ftp://127.0.0.1/cb"} {
		if err := p.AddConsoleRedirectURI(bad); err == nil {
			t.Errorf("AddConsoleRedirectURI(%q) accepted", bad)
		}
	}
	if err := p.AddConsoleRedirectURI(later); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != http.StatusFound {
		t.Fatalf("once added: %d, want a redirect to the login page", got)
	}
}
