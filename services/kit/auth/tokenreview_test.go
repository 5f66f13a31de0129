package auth_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	authenticationv1client "k8s.io/client-go/kubernetes/typed/authentication/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

// The tests below run against a real kube-apiserver and etcd (envtest),
// started once for the package on first use and stopped by TestMain.

const (
	testNamespace = "nextstep"
	testAudience  = "nextstep"
	// listed and placement act as the service role; stranger does not.
	listed    = "nextstep-operator"
	placement = "nextstep-placement"
	stranger  = "someone-else"
)

var kubeConfig = auth.KubernetesConfig{
	Audiences:       []string{testAudience},
	ServiceAccounts: []string{testNamespace + "/" + listed, testNamespace + "/" + placement, testNamespace + "/doomed"},
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopControlPlane()
	os.Exit(code)
}

var controlPlane struct {
	once    sync.Once
	env     *envtest.Environment
	cfg     *rest.Config
	client  kubernetes.Interface
	skip    string
	err     error
	stopped bool
}

func stopControlPlane() {
	if controlPlane.env != nil && !controlPlane.stopped {
		controlPlane.stopped = true
		if err := controlPlane.env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop control plane:", err)
		}
	}
}

// kubeAPI returns an admin client of the package's kube-apiserver, started
// on first use with the namespace and service accounts the tests need. It
// skips only when neither KUBEBUILDER_ASSETS nor hack/envtest.sh is there.
func kubeAPI(tb testing.TB) (kubernetes.Interface, *rest.Config, *envtest.Environment) {
	tb.Helper()
	controlPlane.once.Do(func() {
		assets := os.Getenv("KUBEBUILDER_ASSETS")
		if assets == "" {
			script, err := filepath.Abs(filepath.Join("..", "..", "..", "hack", "envtest.sh"))
			if err != nil {
				controlPlane.err = err
				return
			}
			if st, err := os.Stat(script); err != nil || st.Mode()&0o111 == 0 {
				controlPlane.skip = "no kube-apiserver: KUBEBUILDER_ASSETS is unset and hack/envtest.sh is not runnable"
				return
			}
			cmd := exec.Command(script)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				controlPlane.err = fmt.Errorf("hack/envtest.sh: %w", err)
				return
			}
			assets = strings.TrimSpace(string(out))
		}
		env := &envtest.Environment{BinaryAssetsDirectory: assets}
		cfg, err := env.Start()
		if err != nil {
			controlPlane.err = fmt.Errorf("start control plane: %w", err)
			return
		}
		controlPlane.env, controlPlane.cfg = env, cfg
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			controlPlane.err = err
			return
		}
		controlPlane.client = client
		ctx := context.Background()
		if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}}, metav1.CreateOptions{}); err != nil {
			controlPlane.err = err
			return
		}
		for _, name := range []string{listed, placement, stranger} {
			if _, err := client.CoreV1().ServiceAccounts(testNamespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
				controlPlane.err = err
				return
			}
		}
	})
	if controlPlane.skip != "" {
		tb.Skip(controlPlane.skip)
	}
	if controlPlane.err != nil {
		tb.Fatal(controlPlane.err)
	}
	return controlPlane.client, controlPlane.cfg, controlPlane.env
}

// mint asks the API server (TokenRequest) for a token of a service account.
func mint(tb testing.TB, client kubernetes.Interface, account string, audiences []string, seconds int64) string {
	tb.Helper()
	tr, err := client.CoreV1().ServiceAccounts(testNamespace).CreateToken(context.Background(), account, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{Audiences: audiences, ExpirationSeconds: &seconds},
	}, metav1.CreateOptions{})
	if err != nil {
		tb.Fatalf("TokenRequest for %s: %v", account, err)
	}
	return tr.Status.Token
}

// countingReviews counts the TokenReviews that reach the API server.
type countingReviews struct {
	authenticationv1client.TokenReviewInterface
	n atomic.Int64
}

func (c *countingReviews) Create(ctx context.Context, tr *authenticationv1.TokenReview, opts metav1.CreateOptions) (*authenticationv1.TokenReview, error) {
	c.n.Add(1)
	return c.TokenReviewInterface.Create(ctx, tr, opts)
}

func counting(client kubernetes.Interface) *countingReviews {
	return &countingReviews{TokenReviewInterface: client.AuthenticationV1().TokenReviews()}
}

// expiry is a token's exp claim, read without verifying.
func expiry(tb testing.TB, token string) time.Time {
	tb.Helper()
	t, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.ES384, jose.ES512})
	if err != nil {
		tb.Fatal(err)
	}
	var c jwt.Claims
	if err := t.UnsafeClaimsWithoutVerification(&c); err != nil {
		tb.Fatal(err)
	}
	return c.Expiry.Time()
}

// checkRefused fails unless err is a refusal (not Unavailable) containing
// want, and never the token.
func checkRefused(t *testing.T, err error, token, want string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatal("accepted, want refused")
	case !errors.Is(err, auth.ErrUnauthenticated) || auth.Unavailable(err):
		t.Fatalf("err = %v, want ErrUnauthenticated", err)
	case !strings.Contains(err.Error(), want):
		t.Errorf("err = %v, want one saying %q", err, want)
	}
	t.Logf("refused: %v", err)
	checkNoToken(t, err.Error(), token)
}

// checkNoToken fails if s holds the token or its signature.
func checkNoToken(t *testing.T, s, token string) {
	t.Helper()
	sig := token[strings.LastIndex(token, ".")+1:]
	if strings.Contains(s, token) || (len(sig) > 16 && strings.Contains(s, sig)) {
		t.Errorf("the token appears in %q", s)
	}
}

var servicePrincipal = auth.Principal{
	Subject: "system:serviceaccount:nextstep:nextstep-operator",
	Issuer:  "kubernetes",
	Role:    auth.RoleService,
	Scope:   auth.Everything(),
}

func TestTokenReview(t *testing.T) {
	client, _, _ := kubeAPI(t)
	ctx := t.Context()

	t.Run("a listed service account's token for the audience is the service role", func(t *testing.T) {
		reviews := counting(client)
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{})
		token := mint(t, client, listed, []string{testAudience}, 3600)
		for range 3 {
			p, err := a.Authenticate(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(servicePrincipal, p); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		}
		if n := reviews.n.Load(); n != 1 {
			t.Errorf("%d TokenReviews for one token used three times, want 1 (the cache)", n)
		}
		// Another listed account, and one of several audiences on the token.
		p, err := a.Authenticate(ctx, mint(t, client, placement, []string{"elsewhere", testAudience}, 3600))
		if err != nil || p.Subject != "system:serviceaccount:nextstep:nextstep-placement" || p.Role != auth.RoleService {
			t.Errorf("placement: %+v, %v", p, err)
		}
	})

	t.Run("a token for another audience is refused", func(t *testing.T) {
		reviews := counting(client)
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{})
		token := mint(t, client, listed, []string{"some-other-service"}, 3600)
		_, err := a.Authenticate(ctx, token)
		checkRefused(t, err, token, "audiences")
		// The API server's own audience (a token for calling Kubernetes) is another.
		token = mint(t, client, listed, nil, 3600)
		_, err = a.Authenticate(ctx, token)
		checkRefused(t, err, token, "did not authenticate")
		if n := reviews.n.Load(); n != 2 {
			t.Errorf("%d TokenReviews, want 2: the API server decides the audience", n)
		}
	})

	t.Run("an unlisted service account is refused, and the refusal cached briefly", func(t *testing.T) {
		reviews := counting(client)
		now := &clock{now: time.Now()}
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{Now: now.Now})
		token := mint(t, client, stranger, []string{testAudience}, 3600)
		for range 5 {
			_, err := a.Authenticate(ctx, token)
			checkRefused(t, err, token, "service account nextstep/someone-else is not one that acts as the service role")
		}
		if n := reviews.n.Load(); n != 1 {
			t.Errorf("%d TokenReviews for one refused token used five times, want 1", n)
		}
		now.Set(now.Now().Add(11 * time.Second))
		_, err := a.Authenticate(ctx, token)
		checkRefused(t, err, token, "not one that acts")
		if n := reviews.n.Load(); n != 2 {
			t.Errorf("%d TokenReviews after the 10s negative cache, want 2", n)
		}
	})

	t.Run("garbage is refused without asking the API server", func(t *testing.T) {
		reviews := counting(client)
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{})
		for token, want := range map[string]string{
			"not-a-jwt-at-all-but-long-enough":              "not a signed JWT",
			"eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTl9.": "not a signed JWT", // alg none
			unsignedJWT(t, map[string]any{"sub": "x"}):      "no expiry",
		} {
			_, err := a.Authenticate(ctx, token)
			checkRefused(t, err, token, want)
		}
		if n := reviews.n.Load(); n != 0 {
			t.Errorf("%d TokenReviews for garbage, want 0", n)
		}
	})

	t.Run("an expired token is refused by the API server", func(t *testing.T) {
		// TokenRequest will not mint a token shorter than ten minutes, so
		// this one is a real token re-signed, with exp an hour ago, by the
		// API server's own service-account key (envtest's cert dir): only
		// its expiry makes it bad. The authenticator's clock is set before
		// exp, so that the API server, not the local expiry check, decides.
		_, _, env := kubeAPI(t)
		token := expire(t, env, mint(t, client, listed, []string{testAudience}, 3600), time.Now().Add(-time.Hour))
		reviews := counting(client)
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }})
		_, err := a.Authenticate(ctx, token)
		checkRefused(t, err, token, "service account token has expired")
		if n := reviews.n.Load(); n != 1 {
			t.Errorf("%d TokenReviews, want 1", n)
		}
		// With the real clock the expiry is seen locally: no TokenReview.
		a = auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{})
		_, err = a.Authenticate(ctx, token)
		checkRefused(t, err, token, "has expired")
		if n := reviews.n.Load(); n != 1 {
			t.Errorf("%d TokenReviews, want still 1", n)
		}
		// The same token re-signed with its real exp is accepted: the
		// re-signing is not what the API server refused.
		good := expire(t, env, mint(t, client, listed, []string{testAudience}, 3600), time.Now().Add(time.Hour))
		if _, err := a.Authenticate(ctx, good); err != nil {
			t.Errorf("re-signed unexpired token: %v", err)
		}
	})

	t.Run("an accepted token is cached until its exp, then refused", func(t *testing.T) {
		reviews := counting(client)
		now := &clock{now: time.Now()}
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{Now: now.Now, MaxCacheTTL: time.Hour})
		token := mint(t, client, listed, []string{testAudience}, 600) // the least TokenRequest allows
		exp := expiry(t, token)
		if _, err := a.Authenticate(ctx, token); err != nil {
			t.Fatal(err)
		}
		now.Set(exp.Add(-time.Second))
		if _, err := a.Authenticate(ctx, token); err != nil {
			t.Fatalf("a second before exp: %v", err)
		}
		if n := reviews.n.Load(); n != 1 {
			t.Errorf("%d TokenReviews before exp, want 1", n)
		}
		now.Set(exp)
		_, err := a.Authenticate(ctx, token)
		checkRefused(t, err, token, "has expired")
		if n := reviews.n.Load(); n != 1 {
			t.Errorf("%d TokenReviews at exp, want still 1", n)
		}
	})

	t.Run("an accepted token is asked about again after ten minutes", func(t *testing.T) {
		reviews := counting(client)
		now := &clock{now: time.Now()}
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{Now: now.Now})
		token := mint(t, client, listed, []string{testAudience}, 3600)
		if _, err := a.Authenticate(ctx, token); err != nil {
			t.Fatal(err)
		}
		now.Set(now.Now().Add(10*time.Minute - time.Second))
		if _, err := a.Authenticate(ctx, token); err != nil {
			t.Fatal(err)
		}
		if n := reviews.n.Load(); n != 1 {
			t.Errorf("%d TokenReviews within ten minutes, want 1", n)
		}
		now.Set(now.Now().Add(time.Second))
		if _, err := a.Authenticate(ctx, token); err != nil {
			t.Fatal(err)
		}
		if n := reviews.n.Load(); n != 2 {
			t.Errorf("%d TokenReviews after ten minutes, want 2", n)
		}
	})

	t.Run("a deleted service account's token is refused", func(t *testing.T) {
		if _, err := client.CoreV1().ServiceAccounts(testNamespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "doomed"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		token := mint(t, client, "doomed", []string{testAudience}, 3600)
		a := auth.NewTokenReview(client.AuthenticationV1().TokenReviews(), kubeConfig, auth.TokenReviewOptions{})
		if err := client.CoreV1().ServiceAccounts(testNamespace).Delete(ctx, "doomed", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Authenticate(ctx, token)
		checkRefused(t, err, token, "did not authenticate")
	})

	t.Run("concurrent calls with one new token share a TokenReview", func(t *testing.T) {
		reviews := counting(client)
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{})
		token := mint(t, client, listed, []string{testAudience}, 3600)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Go(func() {
				if _, err := a.Authenticate(ctx, token); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := reviews.n.Load(); n != 1 {
			t.Errorf("%d TokenReviews for 16 concurrent calls, want 1", n)
		}
	})

	t.Run("the cache stays bounded", func(t *testing.T) {
		a := auth.NewTokenReview(client.AuthenticationV1().TokenReviews(), kubeConfig, auth.TokenReviewOptions{MaxEntries: 4})
		good := mint(t, client, listed, []string{testAudience}, 3600)
		for i := range 20 {
			token := unsignedJWT(t, map[string]any{"sub": fmt.Sprint(i)})
			_, err := a.Authenticate(ctx, token)
			checkRefused(t, err, token, "no expiry")
			if _, err := a.Authenticate(ctx, good); err != nil {
				t.Fatalf("after %d bad tokens: %v", i, err)
			}
		}
	})
}

func TestTokenReviewUnavailable(t *testing.T) {
	client, cfg, _ := kubeAPI(t)
	ctx := t.Context()
	token := mint(t, client, listed, []string{testAudience}, 3600)

	t.Run("API server unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := rest.CopyConfig(cfg)
		dead.Host = "https://" + l.Addr().String()
		l.Close()
		c, err := authenticationv1client.NewForConfig(dead)
		if err != nil {
			t.Fatal(err)
		}
		reviews := &countingReviews{TokenReviewInterface: c.TokenReviews()}
		a := auth.NewTokenReview(reviews, kubeConfig, auth.TokenReviewOptions{Timeout: 2 * time.Second})
		for range 2 {
			_, err = a.Authenticate(ctx, token)
			if !auth.Unavailable(err) || errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("err = %v, want Unavailable and not ErrUnauthenticated", err)
			}
			t.Logf("unavailable: %v", err)
			checkNoToken(t, err.Error(), token)
		}
		if n := reviews.n.Load(); n != 2 {
			t.Errorf("%d TokenReviews, want 2: an unavailable answer is not cached", n)
		}
	})

	t.Run("this service may not create TokenReviews", func(t *testing.T) {
		// The API server's RBAC refuses a service account no role lets
		// review tokens: the authenticator says it cannot check, not that
		// the token is bad.
		as := rest.CopyConfig(cfg)
		as.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:nextstep:" + stranger, Groups: []string{"system:serviceaccounts", "system:authenticated"}}
		c, err := authenticationv1client.NewForConfig(as)
		if err != nil {
			t.Fatal(err)
		}
		a := auth.NewTokenReview(c.TokenReviews(), kubeConfig, auth.TokenReviewOptions{})
		_, err = a.Authenticate(ctx, token)
		if !auth.Unavailable(err) || !strings.Contains(err.Error(), "create on tokenreviews.authentication.k8s.io") {
			t.Fatalf("err = %v, want Unavailable naming the missing permission", err)
		}
		t.Logf("unavailable: %v", err)
		checkNoToken(t, err.Error(), token)
	})
}

// TestTokenReviewNeverLogsTheToken puts refused, expired and unavailable
// tokens through the HTTP middleware and checks the log and the response.
func TestTokenReviewNeverLogsTheToken(t *testing.T) {
	client, cfg, env := kubeAPI(t)
	dead := rest.CopyConfig(cfg)
	dead.Host = "https://127.0.0.1:1"
	deadClient, err := authenticationv1client.NewForConfig(dead)
	if err != nil {
		t.Fatal(err)
	}
	live := auth.NewTokenReview(client.AuthenticationV1().TokenReviews(), kubeConfig, auth.TokenReviewOptions{})
	down := auth.NewTokenReview(deadClient.TokenReviews(), kubeConfig, auth.TokenReviewOptions{Timeout: time.Second})
	cases := map[string]struct {
		a     auth.Authenticator
		token string
		code  int
	}{
		"accepted":         {live, mint(t, client, listed, []string{testAudience}, 3600), http.StatusOK},
		"unlisted":         {live, mint(t, client, stranger, []string{testAudience}, 3600), http.StatusUnauthorized},
		"another audience": {live, mint(t, client, listed, []string{"other"}, 3600), http.StatusUnauthorized},
		"expired":          {live, expire(t, env, mint(t, client, listed, []string{testAudience}, 3600), time.Now().Add(-time.Minute)), http.StatusUnauthorized},
		"unavailable":      {down, mint(t, client, listed, []string{testAudience}, 3600), http.StatusServiceUnavailable},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			h := auth.Middleware(tc.a, logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				p := auth.Caller(r.Context())
				logger.InfoContext(r.Context(), "called", "subject", p.Subject)
			}))
			req := httptest.NewRequest(http.MethodPost, "/nextstep.pupil.v1.PupilService/GetSchool", strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+tc.token)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if logs.Len() == 0 {
				t.Error("nothing was logged")
			}
			checkNoToken(t, logs.String(), tc.token)
			checkNoToken(t, rec.Body.String(), tc.token)
		})
	}
}

// TestNewTokenReviewFromEnvironment: outside a cluster the authenticator
// calls the API server KUBECONFIG names, with its own client of the
// TokenReview API alone.
func TestNewTokenReviewFromEnvironment(t *testing.T) {
	client, _, env := kubeAPI(t)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, env.KubeConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBECONFIG", kubeconfig)
	a, err := auth.NewTokenReviewFromEnvironment(kubeConfig, auth.TokenReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Authenticate(t.Context(), mint(t, client, listed, []string{testAudience}, 3600))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(servicePrincipal, p); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
	// Refusals decode from the API server's answer as the typed client's do.
	token := mint(t, client, stranger, []string{testAudience}, 3600)
	_, err = a.Authenticate(t.Context(), token)
	checkRefused(t, err, token, "service account nextstep/someone-else is not one that acts as the service role")
	token = mint(t, client, listed, []string{"other"}, 3600)
	_, err = a.Authenticate(t.Context(), token)
	checkRefused(t, err, token, `token audiences ["other"] is invalid`)
	// Through the Chain, as a service will use it: not an OIDC issuer's
	// token, so Kubernetes checks it.
	chain := auth.Chain{Kubernetes: a}
	token = mint(t, client, placement, []string{testAudience}, 3600)
	if _, ok := a.Accepted(token); ok {
		t.Error("a token never reviewed is accepted from the cache")
	}
	if p, err := chain.Authenticate(t.Context(), token); err != nil || p.Role != auth.RoleService {
		t.Errorf("through the chain: %+v, %v", p, err)
	}
	// Reviewed and accepted, it is answered from the cache, the chain's
	// too; a refused token never is.
	if p, ok := a.Accepted(token); !ok || p.Role != auth.RoleService {
		t.Errorf("an accepted token from the cache: %+v, %v", p, ok)
	}
	if p, err := chain.Authenticate(t.Context(), token); err != nil || p.Role != auth.RoleService {
		t.Errorf("through the chain again: %+v, %v", p, err)
	}
	refused := mint(t, client, stranger, []string{testAudience}, 3600)
	if _, err := chain.Authenticate(t.Context(), refused); err == nil {
		t.Error("a refused token through the chain was accepted")
	}
	if _, ok := a.Accepted(refused); ok {
		t.Error("a refused token is accepted from the cache")
	}
	if _, err := chain.Authenticate(t.Context(), refused); err == nil {
		t.Error("a refused token through the chain, again, was accepted")
	}
}

// expire re-signs a real service-account token with exp set, with the API
// server's own signing key, keeping every other claim and the key id.
func expire(tb testing.TB, env *envtest.Environment, token string, exp time.Time) string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(env.ControlPlane.GetAPIServer().CertDir, "sa-signer.key"))
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		tb.Fatal("sa-signer.key is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	var alg jose.SignatureAlgorithm
	switch k := key.(type) {
	case *rsa.PrivateKey:
		alg = jose.RS256
	case *ecdsa.PrivateKey:
		alg = map[int]jose.SignatureAlgorithm{256: jose.ES256, 384: jose.ES384, 521: jose.ES512}[k.Curve.Params().BitSize]
	default:
		tb.Fatalf("sa-signer.key is a %T", key)
	}
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{alg})
	if err != nil {
		tb.Fatal(err)
	}
	var claims map[string]any
	if err := parsed.UnsafeClaimsWithoutVerification(&claims); err != nil {
		tb.Fatal(err)
	}
	claims["exp"] = exp.Unix()
	claims["iat"] = exp.Add(-time.Hour).Unix()
	claims["nbf"] = exp.Add(-time.Hour).Unix()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", parsed.Headers[0].KeyID))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

var throwaway = sync.OnceValue(func() *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return key
})

// unsignedJWT is a JWT with the claims, signed with a throwaway key no
// one trusts.
func unsignedJWT(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: throwaway()}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkTokenReviewCached is a service's cost per call once a caller's
// token has been reviewed: what every RPC from the operator, placement or
// tracking pays until the token is rotated, through the Chain a service
// authenticates with, and of the TokenReview alone.
func BenchmarkTokenReviewCached(b *testing.B) {
	client, _, _ := kubeAPI(b)
	a := auth.NewTokenReview(client.AuthenticationV1().TokenReviews(), kubeConfig, auth.TokenReviewOptions{})
	token := mint(b, client, listed, []string{testAudience}, 3600)
	ctx := context.Background()
	if _, err := a.Authenticate(ctx, token); err != nil {
		b.Fatal(err)
	}
	for name, authn := range map[string]auth.Authenticator{"chain": auth.Chain{Kubernetes: a}, "tokenreview": a} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := authn.Authenticate(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTokenReviewUncached is what the cache saves: every call a real
// TokenReview.
func BenchmarkTokenReviewUncached(b *testing.B) {
	client, _, _ := kubeAPI(b)
	a := auth.NewTokenReview(client.AuthenticationV1().TokenReviews(), kubeConfig, auth.TokenReviewOptions{MaxCacheTTL: time.Nanosecond})
	token := mint(b, client, listed, []string{testAudience}, 3600)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}
