package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/go-jose/go-jose/v4/jwt"
	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// TokenReview authenticates nextstep's own components by their projected,
// audience-bound service-account tokens, asking the Kubernetes API server
// (TokenReview, authentication.k8s.io/v1, with the configured audiences).
// A token the API server authenticates, bound to one of the audiences, of
// one of the configured service accounts, is the service role with every
// record in scope; anything else is refused.
//
// Results are cached under the token's SHA-256 (the token itself is never
// kept, logged or put in an error): an accepted token until its expiry, at
// most MaxCacheTTL, so a deleted service account loses access within that
// time; a refused one for NegativeTTL, so a flood of bad tokens does not
// become a flood of TokenReviews. A token that is not a JWT, has no expiry
// or has expired is refused without asking the API server. Concurrent calls
// with the same new token share one TokenReview.
type TokenReview struct {
	reviews   TokenReviews
	audiences []string
	accounts  map[string]bool // "system:serviceaccount:<ns>:<name>"
	opts      TokenReviewOptions

	mu    sync.RWMutex
	cache map[[sha256.Size]byte]*reviewed
}

// TokenReviews creates TokenReviews. A client-go clientset's
// AuthenticationV1().TokenReviews() is one; NewTokenReviewFromEnvironment
// makes one that knows only this API, so that a service does not link
// every Kubernetes API group's types.
type TokenReviews interface {
	Create(ctx context.Context, review *authenticationv1.TokenReview, opts metav1.CreateOptions) (*authenticationv1.TokenReview, error)
}

// TokenReviewOptions tune a TokenReview authenticator; the zero value is
// production's.
type TokenReviewOptions struct {
	// MaxCacheTTL is the longest an accepted token is trusted without
	// asking again; 10 minutes when 0.
	MaxCacheTTL time.Duration
	// NegativeTTL is how long a refused token stays refused without asking
	// again; 10 seconds when 0.
	NegativeTTL time.Duration
	// MaxEntries bounds the cache; 10,000 when 0.
	MaxEntries int
	// Timeout bounds one TokenReview; 10 seconds when 0.
	Timeout time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// KubernetesIssuer is the Issuer of a principal a service-account token
// proved.
const KubernetesIssuer = "kubernetes"

const serviceAccountPrefix = "system:serviceaccount:"

// reviewed is one token's cached result. done is closed when the review
// has finished; until then the other fields are unset.
type reviewed struct {
	done      chan struct{}
	finished  bool
	principal Principal
	err       error
	until     time.Time
}

// NewTokenReview returns an authenticator that checks tokens with reviews
// (a clientset's AuthenticationV1().TokenReviews()). cfg has been checked
// by ParseConfig: its service accounts are namespace/name.
func NewTokenReview(reviews TokenReviews, cfg KubernetesConfig, opts TokenReviewOptions) *TokenReview {
	if opts.MaxCacheTTL <= 0 {
		opts.MaxCacheTTL = 10 * time.Minute
	}
	if opts.NegativeTTL <= 0 {
		opts.NegativeTTL = 10 * time.Second
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 10_000
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	accounts := make(map[string]bool, len(cfg.ServiceAccounts))
	for _, sa := range cfg.ServiceAccounts {
		ns, name, _ := strings.Cut(sa, "/")
		accounts[serviceAccountPrefix+ns+":"+name] = true
	}
	return &TokenReview{
		reviews:   reviews,
		audiences: slices.Clone(cfg.Audiences),
		accounts:  accounts,
		opts:      opts,
		cache:     map[[sha256.Size]byte]*reviewed{},
	}
}

// NewTokenReviewFromEnvironment returns a TokenReview authenticator that
// calls the API server as the kubeconfig KUBECONFIG names, when it is set
// (make run), else as the pod's own service account (in-cluster: the
// token, CA and namespace mounted at /var/run/secrets/kubernetes.io/serviceaccount,
// the token re-read as the kubelet rotates it), else as ~/.kube/config.
// The service account needs create on tokenreviews.authentication.k8s.io
// (the chart grants exactly that).
func NewTokenReviewFromEnvironment(cfg KubernetesConfig, opts TokenReviewOptions) (*TokenReview, error) {
	// KUBECONFIG first when it is set, then in-cluster, then
	// ~/.kube/config: the order controller-runtime's GetConfig uses, so
	// make run inside a development pod still talks to its own API server.
	fromKubeconfig := func() (*rest.Config, error) {
		return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			clientcmd.NewDefaultClientConfigLoadingRules(), &clientcmd.ConfigOverrides{}).ClientConfig()
	}
	var rc *rest.Config
	var err error
	if os.Getenv(clientcmd.RecommendedConfigPathEnvVar) != "" {
		rc, err = fromKubeconfig()
	} else if rc, err = rest.InClusterConfig(); errors.Is(err, rest.ErrNotInCluster) {
		rc, err = fromKubeconfig()
	}
	if err != nil {
		return nil, fmt.Errorf("kubernetes client configuration: %w", err)
	}
	rc = rest.CopyConfig(rc)
	rc.UserAgent = "nextstep-tokenreview"
	// The cache answers all but a component's first call with each rotated
	// token; these limits only bound a flood of new tokens.
	rc.QPS, rc.Burst = 20, 40
	if rc.Timeout == 0 {
		rc.Timeout = 15 * time.Second
	}
	reviews, err := newRESTTokenReviews(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return NewTokenReview(reviews, cfg, opts), nil
}

// restTokenReviews is a client of authentication.k8s.io/v1 TokenReviews
// alone: client-go's typed clients register every API group's types.
type restTokenReviews struct {
	client *rest.RESTClient
	params runtime.ParameterCodec
}

func newRESTTokenReviews(rc *rest.Config) (*restTokenReviews, error) {
	scheme := runtime.NewScheme()
	if err := authenticationv1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	rc = rest.CopyConfig(rc)
	rc.APIPath = "/apis"
	rc.GroupVersion = &authenticationv1.SchemeGroupVersion
	rc.NegotiatedSerializer = serializer.NewCodecFactory(scheme).WithoutConversion()
	client, err := rest.RESTClientFor(rc)
	if err != nil {
		return nil, err
	}
	return &restTokenReviews{client: client, params: runtime.NewParameterCodec(scheme)}, nil
}

// Create implements TokenReviews.
func (r *restTokenReviews) Create(ctx context.Context, review *authenticationv1.TokenReview, opts metav1.CreateOptions) (*authenticationv1.TokenReview, error) {
	out := &authenticationv1.TokenReview{}
	err := r.client.Post().Resource("tokenreviews").VersionedParams(&opts, r.params).Body(review).Do(ctx).Into(out)
	return out, err
}

// Authenticate implements Authenticator.
func (k *TokenReview) Authenticate(ctx context.Context, token string) (Principal, error) {
	key := tokenKey(token)
	now := k.opts.Now()
	k.mu.RLock()
	r, ok := k.cache[key]
	if ok && r.finished && now.Before(r.until) {
		p, err := r.principal, r.err
		k.mu.RUnlock()
		return p, err
	}
	k.mu.RUnlock()

	k.mu.Lock()
	r, ok = k.cache[key]
	if ok && (!r.finished || now.Before(r.until)) {
		// Another call is reviewing the same token, or has just done so.
		k.mu.Unlock()
		return r.wait(ctx)
	}
	r = &reviewed{done: make(chan struct{})}
	k.evictLocked(now)
	k.cache[key] = r
	k.mu.Unlock()

	p, until, err := k.review(ctx, token, now)

	k.mu.Lock()
	r.principal, r.err, r.until, r.finished = p, err, until, true
	if !until.After(now) && k.cache[key] == r {
		// Not cached (the API server could not be asked): the next call
		// tries again.
		delete(k.cache, key)
	}
	k.mu.Unlock()
	close(r.done)
	return p, err
}

// Accepted returns the principal of a token the API server accepted, while
// its review is cached; a refused, expired or unreviewed token is not.
func (k *TokenReview) Accepted(token string) (Principal, bool) {
	key := tokenKey(token)
	now := k.opts.Now()
	k.mu.RLock()
	defer k.mu.RUnlock()
	r, ok := k.cache[key]
	if !ok || !r.finished || r.err != nil || !now.Before(r.until) {
		return Principal{}, false
	}
	return r.principal, true
}

// tokenKey is the cache's key for a token: its SHA-256, so the token
// itself is never kept, and no token can be made to share another's entry.
// The string's bytes are hashed in place (sha256 only reads them and keeps
// nothing), which spares a cached call its one allocation.
func tokenKey(token string) [sha256.Size]byte {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
}

// wait returns the result of a review another call is making.
func (r *reviewed) wait(ctx context.Context) (Principal, error) {
	select {
	case <-r.done:
		return r.principal, r.err
	case <-ctx.Done():
		return Principal{}, &unavailableError{fmt.Errorf("waiting for the token's review: %w", ctx.Err())}
	}
}

// evictLocked makes room for one more entry: expired entries go first,
// then arbitrary finished ones (map order is random) down to 90%.
func (k *TokenReview) evictLocked(now time.Time) {
	if len(k.cache) < k.opts.MaxEntries {
		return
	}
	for key, r := range k.cache {
		if r.finished && !now.Before(r.until) {
			delete(k.cache, key)
		}
	}
	for key, r := range k.cache {
		if len(k.cache) < k.opts.MaxEntries*9/10 {
			break
		}
		if r.finished {
			delete(k.cache, key)
		}
	}
}

// review decides a token the cache does not hold, returning until when the
// result may be reused (not after now: it may not be).
func (k *TokenReview) review(ctx context.Context, token string, now time.Time) (Principal, time.Time, error) {
	negative := now.Add(k.opts.NegativeTTL)
	t, err := jwt.ParseSigned(token, asymmetric)
	if err != nil {
		return Principal{}, negative, refused("the token is not a signed JWT")
	}
	var claims jwt.Claims
	if err := t.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return Principal{}, negative, refused("the token's claims are not JSON")
	}
	if claims.Expiry == nil {
		return Principal{}, negative, refused("the service-account token has no expiry: only projected, expiring tokens are accepted")
	}
	exp := claims.Expiry.Time()
	if !now.Before(exp) {
		return Principal{}, negative, refused("the service-account token has expired")
	}

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), k.opts.Timeout)
	defer cancel()
	// The reply echoes spec.token: it is never logged or kept.
	reply, err := k.reviews.Create(rctx, &authenticationv1.TokenReview{
		Spec: authenticationv1.TokenReviewSpec{Token: token, Audiences: k.audiences},
	}, metav1.CreateOptions{})
	if err != nil {
		return Principal{}, now, reviewUnavailable(err, token)
	}
	st := reply.Status
	if !st.Authenticated {
		reason := "the API server did not authenticate the token"
		if st.Error != "" {
			reason += ": " + redact(st.Error, token)
		}
		return Principal{}, negative, refused(reason)
	}
	if !slices.ContainsFunc(st.Audiences, func(a string) bool { return slices.Contains(k.audiences, a) }) {
		// An API server that ignores spec.audiences must not make a token
		// for another audience good here.
		return Principal{}, negative, refused("the token is not bound to this service's audience")
	}
	user := st.User.Username
	if !strings.HasPrefix(user, serviceAccountPrefix) || !slices.Contains(st.User.Groups, "system:serviceaccounts") {
		return Principal{}, negative, refused("the token is not a service account's")
	}
	if !k.accounts[user] {
		ns, name, _ := strings.Cut(strings.TrimPrefix(user, serviceAccountPrefix), ":")
		return Principal{}, negative, refused(fmt.Sprintf("service account %s/%s is not one that acts as the service role", ns, name))
	}
	until := now.Add(k.opts.MaxCacheTTL)
	if exp.Before(until) {
		until = exp
	}
	return Principal{Subject: user, Issuer: KubernetesIssuer, Role: RoleService, Scope: Everything()}, until, nil
}

// reviewUnavailable is a TokenReview that could not be made: the API server is
// unreachable, overloaded, or refuses this service the review (its RBAC).
func reviewUnavailable(err error, token string) error {
	var why string
	switch {
	case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
		why = "the API server refuses this service's TokenReview (it needs create on tokenreviews.authentication.k8s.io)"
	case apierrors.IsTooManyRequests(err):
		why = "the API server is throttling TokenReviews"
	default:
		why = "the API server cannot review the token now"
	}
	return &unavailableError{fmt.Errorf("%s: %s", why, redact(err.Error(), token))}
}

// redact removes the token from a message that is about to be logged, in
// case an API server or a proxy quoted it back.
func redact(msg, token string) string {
	if token == "" {
		return msg
	}
	return strings.ReplaceAll(msg, token, "[token]")
}
