// Package devidp is the development OpenID Connect provider that make run
// starts on loopback, and that tests of token verification run against. It
// is github.com/zitadel/oidc's op package (a maintained, OpenID-certified
// provider: discovery, JWKS, the token and authorization endpoints, PKCE)
// over a small in-memory storage of seeded users; it is not a fake that
// signs whatever it is asked.
//
// Every user is also an OAuth client (client_id the user's ID, secret its
// password) allowed the client_credentials grant, so one command gets a
// token:
//
//	curl -s -u caseworker:password -d grant_type=client_credentials -d scope=openid http://127.0.0.1:PORT/oauth/token
//
// The access token is a JWT signed with RS256 that holds iss, sub (the
// user's ID), aud (Options.Audience), exp (an hour), iat, nbf, jti,
// client_id and groups (the user's groups), which is what the services'
// configuration maps to a role and a scope.
//
// For a browser, the public client "nextstep-console" signs people in with
// the authorization code flow and PKCE (S256, required) on a minimal
// server-rendered login page; its ID and access tokens carry the same sub
// and groups.
//
// The provider listens on a loopback address only and never on another:
// its users' passwords are printed for anyone to use.
package devidp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// ConsoleClientID is the client id of the web console, a public client that
// signs people in with the authorization code flow and PKCE.
const ConsoleClientID = "nextstep-console"

// Paths the provider serves under its issuer, as op serves them. Discovery
// (/.well-known/openid-configuration) names every one of them too.
const (
	TokenPath     = "/oauth/token"
	KeysPath      = "/keys"
	AuthorizePath = "/authorize"
	// LoginPath is the login page the authorization endpoint sends a
	// browser to.
	LoginPath = "/login"
)

// TokenLifetime is how long an access or ID token is valid.
const TokenLifetime = time.Hour

// User is a seeded person. ID is also the token's subject and the OAuth
// client id of the client_credentials grant; Password is its secret. Never
// a real name.
type User struct {
	ID       string
	Password string
	// Groups are the values of the token's groups claim, which the
	// services' rules turn into a role and a scope.
	Groups []string
}

// Options configure a provider.
type Options struct {
	// Addr is where to listen: a loopback address, 127.0.0.1:0 (any free
	// port) when empty.
	Addr string
	// Audience is every access token's aud: the audience the services are
	// configured to accept. Required.
	Audience string
	// Users are the people who may get tokens. IDs and passwords are
	// letters, digits and ._~- only, so that they go into a command line
	// and an Authorization header as they are.
	Users []User
	// ConsoleRedirectURIs are the redirect URIs registered for the
	// nextstep-console client; none disables the client.
	ConsoleRedirectURIs []string
}

// Provider is a running development provider.
type Provider struct {
	issuer  string
	storage *storage
	op      *op.Provider
	server  *http.Server
	client  *http.Client
	served  chan struct{}
}

// safe is what a user's ID and password may hold.
var safe = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// Start listens on opts.Addr and serves the provider until Close. ctx
// bounds the start only.
func Start(ctx context.Context, opts Options) (*Provider, error) {
	if opts.Audience == "" {
		return nil, errors.New("devidp: Options.Audience is required")
	}
	users := make(map[string]User, len(opts.Users))
	for i, u := range opts.Users {
		switch {
		case !safe.MatchString(u.ID):
			return nil, fmt.Errorf("devidp: Users[%d].ID must be letters, digits and ._~- only", i)
		case !safe.MatchString(u.Password):
			return nil, fmt.Errorf("devidp: Users[%d].Password must be letters, digits and ._~- only", i)
		case u.ID == ConsoleClientID:
			return nil, fmt.Errorf("devidp: Users[%d].ID is the console's client id", i)
		}
		if _, dup := users[u.ID]; dup {
			return nil, fmt.Errorf("devidp: Users[%d].ID repeats an earlier user", i)
		}
		u.Groups = slices.Clone(u.Groups)
		users[u.ID] = u
	}
	for i, uri := range opts.ConsoleRedirectURIs {
		if !validRedirect(uri) {
			return nil, fmt.Errorf("devidp: ConsoleRedirectURIs[%d] must be an absolute http(s) URL without a fragment", i)
		}
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("devidp: Options.Addr: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("devidp: Options.Addr %q is not a loopback IP address: the development provider never listens beyond this machine", addr)
	}

	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return nil, err
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("devidp: listen: %w", err)
	}
	issuer := "http://" + ln.Addr().String()

	s := &storage{
		audience: opts.Audience,
		users:    users,
		console:  slices.Clone(opts.ConsoleRedirectURIs),
		loginURL: issuer + LoginPath,
		key:      key,
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:      cryptoKey,
		CodeMethodS256: true,
		AuthMethodPost: true,
		SupportedClaims: append(slices.Clone(op.DefaultSupportedClaims),
			"nbf", "jti", groupsClaim),
	}, s, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("devidp: %w", err)
	}
	p := &Provider{
		issuer:  issuer,
		storage: s,
		op:      provider,
		client:  &http.Client{Timeout: 10 * time.Second},
		served:  make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.Handle(LoginPath, http.HandlerFunc(p.login))
	mux.Handle("/", provider)
	p.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(p.served)
		_ = p.server.Serve(ln)
	}()
	return p, nil
}

// Issuer is the provider's issuer URL, http://127.0.0.1:PORT: what its
// tokens' iss claim holds and what a service's configuration names.
func (p *Provider) Issuer() string { return p.issuer }

// TokenURL is the token endpoint, <issuer>/oauth/token.
func (p *Provider) TokenURL() string { return p.issuer + TokenPath }

// TokenCommand is the one-line command that gets the user an access token
// (the JSON answer's access_token):
//
//	curl -s -u caseworker:password -d grant_type=client_credentials -d scope=openid http://127.0.0.1:PORT/oauth/token
//
// It is "" for a user the provider does not have.
func (p *Provider) TokenCommand(userID string) string {
	u, ok := p.storage.users[userID]
	if !ok {
		return ""
	}
	return fmt.Sprintf("curl -s -u %s:%s -d grant_type=client_credentials -d scope=openid %s", u.ID, u.Password, p.TokenURL())
}

// Token gets the user an access token from the token endpoint with the
// client_credentials grant, as TokenCommand's command does.
func (p *Provider) Token(ctx context.Context, userID string) (string, error) {
	u, ok := p.storage.users[userID]
	if !ok {
		return "", fmt.Errorf("devidp: no user %q", userID)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 2.3.1: the client id and secret are form-encoded first.
	req.SetBasicAuth(url.QueryEscape(u.ID), url.QueryEscape(u.Password))
	res, err := p.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("devidp: token request: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("devidp: token response: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("devidp: token request: %s: %s", res.Status, bytes.TrimSpace(body))
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return "", fmt.Errorf("devidp: token response without an access_token: %s", bytes.TrimSpace(body))
	}
	return tr.AccessToken, nil
}

// Claims are the claims of an access token the provider would issue the
// user now (iss, sub, aud, iat, nbf, exp, groups), for tests to alter and
// Sign. Nil for a user the provider does not have.
func (p *Provider) Claims(userID string) map[string]any {
	u, ok := p.storage.users[userID]
	if !ok {
		return nil
	}
	now := time.Now().Unix()
	return map[string]any{
		"iss":       p.issuer,
		"sub":       u.ID,
		"aud":       []string{p.storage.audience},
		"iat":       now,
		"nbf":       now,
		"exp":       now + int64(TokenLifetime/time.Second),
		"client_id": u.ID,
		groupsClaim: slices.Clone(u.Groups),
	}
}

// Sign signs claims with the provider's current signing key (RS256), with
// kid in the header, the current key's id when kid is "". It is for tests
// of verifiers only: the provider signs what it is given, so a test can
// build tokens that are genuine but for their expiry, audience, issuer or
// key id. Nothing but tests should call it.
func (p *Provider) Sign(claims map[string]any, kid string) (string, error) {
	key := p.storage.signingKey()
	if kid == "" {
		kid = key.id
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.RS256,
		Key:       jose.JSONWebKey{Key: key.private, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"},
	}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// KeyID is the id (kid) of the current signing key, the only key the JWKS
// publishes.
func (p *Provider) KeyID() string { return p.storage.signingKey().id }

// RotateKey replaces the signing key with a new one: the JWKS publishes the
// new key's id and drops the old, so tokens signed before no longer verify
// once a verifier refetches the keys.
func (p *Provider) RotateKey() error {
	key, err := newSigningKey()
	if err != nil {
		return err
	}
	p.storage.mu.Lock()
	p.storage.key = key
	p.storage.mu.Unlock()
	return nil
}

// AddConsoleRedirectURI registers one more redirect URI for the
// nextstep-console client (enabling the client if it had none), for tests
// whose console listens on a port chosen after the provider started.
func (p *Provider) AddConsoleRedirectURI(uri string) error {
	if !validRedirect(uri) {
		return fmt.Errorf("devidp: console redirect URI %q must be an absolute http(s) URL without a fragment", uri)
	}
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	if !slices.Contains(p.storage.console, uri) {
		p.storage.console = append(p.storage.console, uri)
	}
	return nil
}

func validRedirect(uri string) bool {
	u, err := url.Parse(uri)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Fragment == ""
}

// Close stops the provider, closing its connections.
func (p *Provider) Close() error {
	err := p.server.Close()
	<-p.served
	return err
}

// key is an RSA signing key and its id, the RFC 7638 thumbprint of its
// public half.
type key struct {
	id      string
	private *rsa.PrivateKey
}

func newSigningKey() (*key, error) {
	private, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: generate a signing key: %w", err)
	}
	thumb, err := (&jose.JSONWebKey{Key: &private.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("devidp: key id: %w", err)
	}
	return &key{id: base64.RawURLEncoding.EncodeToString(thumb), private: private}, nil
}

// signing is the key as op's SigningKey.
type signing struct{ k *key }

func (s signing) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (s signing) Key() any                                    { return s.k.private }
func (s signing) ID() string                                  { return s.k.id }

// public is the key's public half as op's Key, for the JWKS.
type public struct{ k *key }

func (p public) ID() string                         { return p.k.id }
func (p public) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p public) Use() string                        { return "sig" }
func (p public) Key() any                           { return &p.k.private.PublicKey }
