package devidp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// groupsClaim is the claim that holds a user's groups.
const groupsClaim = "groups"

// authRequestLifetime is how long a browser has to sign in.
const authRequestLifetime = 10 * time.Minute

// errNotFound is an unknown client, user, auth request or code: a plain
// error, which op answers as the client's mistake, not the server's.
var errNotFound = errors.New("not found")

// storage is the provider's op.Storage, in memory: the seeded users (each
// also a client of the client_credentials grant), the console client, the
// pending authorization requests and the signing key. Access tokens are
// JWTs and are not stored; there are no refresh tokens and no sessions.
type storage struct {
	audience string
	users    map[string]User // read-only after Start
	loginURL string

	mu       sync.Mutex
	console  []string // the console's redirect URIs
	key      *key
	requests map[string]*authRequest
	codes    map[string]string // code -> auth request id
}

var (
	_ op.Storage                  = (*storage)(nil)
	_ op.ClientCredentialsStorage = (*storage)(nil)
)

func (s *storage) signingKey() *key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

func randomID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// --- clients ---

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	if clientID == ConsoleClientID {
		s.mu.Lock()
		redirects := slices.Clone(s.console)
		s.mu.Unlock()
		if len(redirects) > 0 {
			return &client{id: ConsoleClientID, console: true, redirects: redirects, loginURL: s.loginURL}, nil
		}
	}
	if u, ok := s.users[clientID]; ok {
		return &client{id: u.ID}, nil
	}
	return nil, errNotFound
}

// AuthorizeClientIDSecret implements op.OPStorage: a user's ID and password.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, clientSecret string) error {
	if _, ok := s.checkPassword(clientID, clientSecret); !ok {
		return errors.New("wrong client id or secret")
	}
	return nil
}

// ClientCredentials implements op.ClientCredentialsStorage.
func (s *storage) ClientCredentials(_ context.Context, clientID, clientSecret string) (op.Client, error) {
	u, ok := s.checkPassword(clientID, clientSecret)
	if !ok {
		return nil, errors.New("wrong client id or secret")
	}
	return &client{id: u.ID}, nil
}

// ClientCredentialsTokenRequest implements op.ClientCredentialsStorage: the
// token is the user's own, for the services' audience.
func (s *storage) ClientCredentialsTokenRequest(_ context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	if _, ok := s.users[clientID]; !ok {
		return nil, errNotFound
	}
	return &tokenRequest{subject: clientID, audience: []string{s.audience}, scopes: scopes}, nil
}

func (s *storage) checkPassword(id, password string) (User, bool) {
	u, ok := s.users[id]
	if !ok {
		// Compare anyway, so that an unknown user takes as long.
		subtle.ConstantTimeCompare([]byte(password), []byte(password))
		return User{}, false
	}
	return u, subtle.ConstantTimeCompare([]byte(password), []byte(u.Password)) == 1
}

// --- authorization requests ---

// CreateAuthRequest implements op.AuthStorage. PKCE with S256 is required.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.ClientID != ConsoleClientID {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("only the console signs people in")
	}
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired().WithDescription("the development provider keeps no sessions")
	}
	now := time.Now()
	a := &authRequest{
		id:           randomID(),
		created:      now,
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		scopes:       slices.Clone(req.Scopes),
		state:        req.State,
		nonce:        req.Nonce,
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		challenge:    &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod},
		audience:     []string{s.audience},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.requests {
		if now.Sub(r.created) > authRequestLifetime {
			s.deleteLocked(id)
		}
	}
	s.requests[a.id] = a
	return a.snapshot(), nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok || time.Since(a.created) > authRequestLifetime {
		return nil, errNotFound
	}
	return a.snapshot(), nil
}

// AuthRequestByCode implements op.AuthStorage.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errNotFound
	}
	return s.AuthRequestByID(ctx, id)
}

// SaveAuthCode implements op.AuthStorage.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.requests[id]; !ok {
		return errNotFound
	}
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest implements op.AuthStorage; op calls it once the code
// has been exchanged, so a code is used once.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteLocked(id)
	return nil
}

func (s *storage) deleteLocked(id string) {
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
}

// completeLogin marks the auth request signed in by the user.
func (s *storage) completeLogin(id, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok || time.Since(a.created) > authRequestLifetime {
		return errNotFound
	}
	a.subject = userID
	a.authTime = time.Now()
	a.done = true
	return nil
}

// pending reports whether id is an auth request still waiting for its
// sign-in.
func (s *storage) pending(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	return ok && !a.done && time.Since(a.created) <= authRequestLifetime
}

// --- tokens ---

// CreateAccessToken implements op.AuthStorage. Access tokens are JWTs, not
// stored: the id is the jti.
func (s *storage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return randomID(), time.Now().Add(TokenLifetime), nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage; no client is
// allowed the refresh_token grant, so op never calls it.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("the development provider issues no refresh tokens")
}

// TokenRequestByRefreshToken implements op.AuthStorage.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession implements op.AuthStorage: there are no sessions.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

// RevokeToken implements op.AuthStorage: access tokens are JWTs, valid
// until they expire.
func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return oidc.ErrRequestNotSupported().WithDescription("the development provider cannot revoke its tokens; they expire within the hour")
}

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signing{s.signingKey()}, nil
}

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.AuthStorage: the current key only.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{public{s.signingKey()}}, nil
}

// --- claims ---

// SetUserinfoFromScopes implements op.OPStorage: op calls it for the ID
// token, which carries the user's sub and groups.
func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, userID, _ string, _ []string) error {
	return s.userinfo(info, userID)
}

// SetUserinfoFromToken implements op.OPStorage, for the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, _, subject, _ string) error {
	return s.userinfo(info, subject)
}

func (s *storage) userinfo(info *oidc.UserInfo, userID string) error {
	u, ok := s.users[userID]
	if !ok {
		return errNotFound
	}
	info.Subject = u.ID
	info.AppendClaims(groupsClaim, slices.Clone(u.Groups))
	return nil
}

// SetIntrospectionFromToken implements op.OPStorage.
func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, _, subject, clientID string) error {
	u, ok := s.users[subject]
	if !ok {
		return errNotFound
	}
	resp.Subject = u.ID
	resp.ClientID = clientID
	resp.Audience = []string{s.audience}
	if resp.Claims == nil {
		resp.Claims = map[string]any{}
	}
	resp.Claims[groupsClaim] = slices.Clone(u.Groups)
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage: the access token's
// groups claim.
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, userID, _ string, _ []string) (map[string]any, error) {
	u, ok := s.users[userID]
	if !ok {
		return nil, errNotFound
	}
	return map[string]any{groupsClaim: slices.Clone(u.Groups)}, nil
}

// GetKeyByIDAndClientID implements op.OPStorage: no client signs JWT
// assertions, so the JWT profile grant is always refused.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}

// ValidateJWTProfileScopes implements op.OPStorage.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotFound
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }

// --- requests and clients as op sees them ---

// tokenRequest is a client_credentials grant's request.
type tokenRequest struct {
	subject  string
	audience []string
	scopes   []string
}

func (t *tokenRequest) GetSubject() string    { return t.subject }
func (t *tokenRequest) GetAudience() []string { return t.audience }
func (t *tokenRequest) GetScopes() []string   { return t.scopes }

// authRequest is a pending sign-in of the authorization code flow. op gets
// copies (snapshot), so it never reads one while the login page writes it.
type authRequest struct {
	id           string
	created      time.Time
	clientID     string
	redirectURI  string
	scopes       []string
	state        string
	nonce        string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	challenge    *oidc.CodeChallenge
	audience     []string

	subject  string
	authTime time.Time
	done     bool
}

func (a *authRequest) snapshot() *authRequest {
	c := *a
	return &c
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string                 { return a.audience }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// client is a user (a confidential client of the client_credentials grant)
// or the console (a public client of the authorization code flow with
// PKCE).
type client struct {
	id        string
	console   bool
	redirects []string
	loginURL  string
}

func (c *client) GetID() string { return c.id }

func (c *client) RedirectURIs() []string {
	if c.console {
		return c.redirects
	}
	return nil
}

func (c *client) PostLogoutRedirectURIs() []string { return nil }

// ApplicationType is web for the console: op then accepts its http
// redirect URIs on loopback for the code flow without the DevMode that
// would accept any.
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.console {
		// Public: no secret, so op requires PKCE at the token endpoint.
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	if c.console {
		return []oidc.ResponseType{oidc.ResponseTypeCode}
	}
	return nil
}

func (c *client) GrantTypes() []oidc.GrantType {
	if c.console {
		return []oidc.GrantType{oidc.GrantTypeCode}
	}
	return []oidc.GrantType{oidc.GrantTypeClientCredentials}
}

func (c *client) LoginURL(id string) string {
	return c.loginURL + "?authRequestID=" + url.QueryEscape(id)
}

func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }

func (c *client) IDTokenLifetime() time.Duration { return TokenLifetime }

func (c *client) DevMode() bool { return false }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c *client) IsScopeAllowed(string) bool { return false }

func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }

func (c *client) ClockSkew() time.Duration { return 0 }
