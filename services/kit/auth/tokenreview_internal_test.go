package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// refusingReviews answers every TokenReview "not authenticated", without
// an API server: the cache's bookkeeping is all that is tested here (the
// API server's answers are tested in tokenreview_test.go).
type refusingReviews struct{ n int }

func (r *refusingReviews) Create(_ context.Context, tr *authenticationv1.TokenReview, _ metav1.CreateOptions) (*authenticationv1.TokenReview, error) {
	r.n++
	return &authenticationv1.TokenReview{Spec: tr.Spec}, nil
}

// TestTokenReviewCacheBounded: a flood of distinct tokens, each refused by
// the API server, never grows the cache past MaxEntries, and the cache is
// keyed by a hash, never the token.
func TestTokenReviewCacheBounded(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reviews := &refusingReviews{}
	a := NewTokenReview(reviews, KubernetesConfig{Audiences: []string{"nextstep"}, ServiceAccounts: []string{"nextstep/op"}}, TokenReviewOptions{MaxEntries: 100})
	exp := jwt.NewNumericDate(time.Now().Add(time.Hour))
	for i := range 1000 {
		token, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: fmt.Sprint(i), Expiry: exp}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Authenticate(t.Context(), token); err == nil {
			t.Fatal("accepted")
		}
		if n := len(a.cache); n > 100 {
			t.Fatalf("after %d tokens the cache holds %d, want at most 100", i+1, n)
		}
	}
	if reviews.n != 1000 {
		t.Errorf("%d TokenReviews for 1000 distinct tokens", reviews.n)
	}
}
