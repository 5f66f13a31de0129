package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

// signin is the OpenID Connect relying party: the authorization code flow
// with PKCE (S256) and a nonce, for a public or a confidential client.
type signin struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
}

func newSignin(ctx context.Context, cfg Config, redirectURL string) (*signin, error) {
	ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("console: OpenID Connect discovery at %s: %w", cfg.Issuer, err)
	}
	endpoint := provider.Endpoint()
	if cfg.ClientSecret == "" {
		// A public client sends its id in the form and proves itself with
		// the PKCE verifier.
		endpoint.AuthStyle = oauth2.AuthStyleInParams
	}
	return &signin{
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     endpoint,
			RedirectURL:  redirectURL,
			Scopes:       []string{oidc.ScopeOpenID},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		client:   cfg.HTTPClient,
	}, nil
}

// startSignIn sends the browser to the provider with a fresh state, nonce
// and PKCE challenge, kept in the (not yet signed-in) session.
func (a *App) startSignIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := a.sessions.manager
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	m.Put(ctx, keyState, state)
	m.Put(ctx, keyNonce, nonce)
	m.Put(ctx, keyVerifier, verifier)
	target := a.signin.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// finishSignIn is the redirect URI: it checks the state, exchanges the code
// with the PKCE verifier, verifies the ID token and its nonce, learns the
// person's role and scope from their access token as the services will,
// and starts a new session (a new cookie value, so a session fixed before
// sign-in is worthless).
func (a *App) finishSignIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := a.sessions.manager
	q := r.URL.Query()
	state, nonce, verifier := m.PopString(ctx, keyState), m.PopString(ctx, keyNonce), m.PopString(ctx, keyVerifier)
	if state == "" || q.Get("state") != state {
		a.signInProblem(w, r, http.StatusBadRequest, "Your sign-in could not be completed. Start again.")
		return
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		a.signInProblem(w, r, http.StatusUnauthorized, "You were not signed in. Start again.")
		return
	}
	principal, tok, err := a.exchange(ctx, q.Get("code"), verifier, nonce)
	var refused refusedError
	switch {
	case errors.As(err, &refused):
		a.logger.InfoContext(ctx, "sign-in refused", "reason", refused.reason)
		a.signInProblem(w, r, http.StatusForbidden, "Your account does not give you access to this service. Ask your hub administrator.")
		return
	case err != nil:
		a.logger.WarnContext(ctx, "sign-in failed", "error", err)
		a.signInProblem(w, r, http.StatusBadGateway, "Sign-in is not working at the moment. Try again later.")
		return
	}
	returnTo := localPath(m.PopString(ctx, keyReturnTo))
	if err := m.RenewToken(ctx); err != nil {
		a.serverError(w, r, err)
		return
	}
	scope, err := json.Marshal(principal.Scope)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	expiry := tok.Expiry
	if expiry.IsZero() {
		expiry = a.now().Add(time.Hour)
	}
	m.Put(ctx, keySubject, principal.Subject)
	m.Put(ctx, keyRole, int(principal.Role))
	m.Put(ctx, keyScope, scope)
	m.Put(ctx, keyToken, tok.AccessToken)
	m.Put(ctx, keyTokenExpiry, expiry)
	m.Put(ctx, keyFormToken, randomToken())
	a.logger.InfoContext(ctx, "signed in", "subject", principal.Subject, "role", principal.Role.String())
	if returnTo == "/" {
		returnTo = homeFor(principal.Role)
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

// refusedError is a sign-in that worked but whose person may not use the
// console: no role, or a service account's.
type refusedError struct{ reason string }

func (e refusedError) Error() string { return "sign-in refused: " + e.reason }

func (a *App) exchange(ctx context.Context, code, verifier, nonce string) (auth.Principal, *oauth2.Token, error) {
	ctx = oidc.ClientContext(ctx, a.signin.client)
	tok, err := a.signin.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return auth.Principal{}, nil, fmt.Errorf("code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return auth.Principal{}, nil, errors.New("the token response has no ID token")
	}
	idToken, err := a.signin.verifier.Verify(ctx, raw)
	if err != nil {
		return auth.Principal{}, nil, fmt.Errorf("ID token: %w", err)
	}
	if idToken.Nonce != nonce {
		return auth.Principal{}, nil, errors.New("ID token: nonce does not match")
	}
	p, err := a.cfg.People.Authenticate(ctx, tok.AccessToken)
	if err != nil {
		if auth.Unavailable(err) {
			return auth.Principal{}, nil, err
		}
		return auth.Principal{}, nil, refusedError{reason: "access token not accepted"}
	}
	if p.Role == auth.RoleService || p.Role == 0 {
		return auth.Principal{}, nil, refusedError{reason: "not a member of staff"}
	}
	if p.Subject != idToken.Subject {
		return auth.Principal{}, nil, errors.New("the access token and the ID token name different people")
	}
	return p, tok, nil
}

// homeFor is where a role starts: the queue, or for an analyst the
// overview (aggregates only).
func homeFor(r auth.Role) string {
	if r == auth.RoleAnalyst {
		return "/overview"
	}
	return "/queue"
}

// signOut ends the session (the form token is checked first, as for any
// POST).
func (a *App) signOut(w http.ResponseWriter, r *http.Request) {
	if err := a.sessions.manager.Destroy(r.Context()); err != nil {
		a.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/signed-out", http.StatusSeeOther)
}
