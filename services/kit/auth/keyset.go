package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keySet is an issuer's signing keys (its JWKS), fetched from url and kept.
// A token whose key the set does not hold makes it fetch the keys again (a
// provider rotating its keys publishes the new one first), but at most once
// per every: a flood of tokens naming made-up keys costs the provider one
// request a minute. Fetched keys stay in use while the provider is down.
// go-oidc's verifier calls it after checking the token's algorithm.
type keySet struct {
	url    string
	client *http.Client
	every  time.Duration
	now    func() time.Time

	// fetching makes concurrent callers share one fetch. mu guards keys
	// and refreshed only and is never held during a fetch, so tokens
	// signed with cached keys verify while a fetch waits on a slow issuer.
	fetching  sync.Mutex
	mu        sync.Mutex
	keys      []jose.JSONWebKey
	refreshed time.Time
}

var (
	errUnknownKey   = errors.New("the token is signed with a key the issuer does not publish")
	errBadSignature = errors.New("the token's signature does not verify with the issuer's key")
)

// keyFailureKey carries, through go-oidc's Verify, where VerifySignature
// reports that the keys could not be fetched.
type keyFailureKey struct{}

// VerifySignature implements oidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(raw, asymmetric)
	if err != nil {
		return nil, fmt.Errorf("malformed token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("the token must have exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	if payload, ok := verifyWith(jws, kid, k.cached()); ok {
		return payload, nil
	}
	keys, err := k.refresh(ctx)
	if err != nil {
		if report, ok := ctx.Value(keyFailureKey{}).(*error); ok {
			*report = err
		}
		return nil, err
	}
	if payload, ok := verifyWith(jws, kid, keys); ok {
		return payload, nil
	}
	if kid == "" || slices.ContainsFunc(keys, func(key jose.JSONWebKey) bool { return key.KeyID == kid }) {
		return nil, errBadSignature
	}
	return nil, errUnknownKey
}

func verifyWith(jws *jose.JSONWebSignature, kid string, keys []jose.JSONWebKey) ([]byte, bool) {
	for i := range keys {
		if kid != "" && keys[i].KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(&keys[i]); err == nil {
			return payload, true
		}
	}
	return nil, false
}

func (k *keySet) cached() []jose.JSONWebKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys
}

// refresh fetches the keys unless they were fetched less than every ago,
// and returns those it has. Concurrent callers share one fetch. While no
// keys have ever been fetched, a token cannot be checked: that is the
// issuer's doing, not the token's, so the answer is unavailable.
func (k *keySet) refresh(ctx context.Context) ([]jose.JSONWebKey, error) {
	k.fetching.Lock()
	defer k.fetching.Unlock()
	k.mu.Lock()
	keys := k.keys
	recent := !k.refreshed.IsZero() && k.now().Sub(k.refreshed) < k.every
	if !recent {
		k.refreshed = k.now()
	}
	k.mu.Unlock()
	if recent {
		if len(keys) == 0 {
			return nil, &unavailableError{errors.New("none of the issuer's keys are at hand: the last fetch, moments ago, failed or found none")}
		}
		return keys, nil
	}
	fetched, err := k.fetch(ctx)
	if err != nil {
		if len(keys) == 0 {
			return nil, &unavailableError{err}
		}
		return keys, nil
	}
	k.mu.Lock()
	k.keys = fetched
	k.mu.Unlock()
	return fetched, nil
}

func (k *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	res, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch the issuer's keys: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch the issuer's keys: %s", res.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("the issuer's keys are not a JWKS: %w", err)
	}
	var public []jose.JSONWebKey
	for _, key := range set.Keys {
		if key.Valid() && key.IsPublic() && key.Use != "enc" {
			public = append(public, key)
		}
	}
	return public, nil
}
