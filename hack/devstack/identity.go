package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/devidp"
)

// Identity in the development stack is the real thing, on loopback: people
// sign in with a development OpenID Connect provider (services/kit/devidp),
// and the operator, placement and tracking present audience-bound tokens
// of their own service accounts, minted by the local kube-apiserver with
// the TokenRequest API, which the services check with TokenReview. The
// services read the same auth configuration (.run/auth.yaml) a Helm
// install renders from its values.
const (
	idpAddr = "127.0.0.1:8084"
	// audience is what every token is for: the services accept no other.
	audience = "nextstep"
	// namespace holds the components' service accounts, as a Helm release
	// would.
	namespace = "nextstep"
	// devPassword is every development user's password: they exist only on
	// loopback, for as long as make run runs.
	devPassword = "nextstep-dev"
)

// wmca are the local authorities of the West Midlands hub the region is
// seeded in (Birmingham, Coventry, Dudley, Sandwell, Solihull, Walsall,
// Wolverhampton).
var wmca = auth.LocalAuthorities("330", "331", "332", "333", "334", "335", "336")

// devPerson is a seeded person: one per role, each with the group claim a
// hub's identity provider would send and the scope the rule gives it.
type devPerson struct {
	id, group, role string
	scope           auth.Scope
	describe        string
}

var devPeople = []devPerson{
	{"hub-admin", "nextstep-hub-admins-wmca", "hub_admin", wmca, "hub admin, West Midlands hub (LAs 330-336)"},
	{"caseworker", "nextstep-caseworkers-336", "caseworker", auth.LocalAuthorities("336"), "caseworker, Wolverhampton (LA 336)"},
	{"careers-leader", "nextstep-careers-136001", "careers_leader", auth.School("136001"), "careers leader, Oakfield Academy (URN 136001)"},
	{"analyst", "nextstep-analysts-wmca", "analyst", wmca, "analyst, West Midlands hub (aggregates only)"},
}

// components that call other components, each as its own service account.
var serviceAccounts = []string{"operator", "placement", "tracking"}

// startIdentityProvider starts the development provider with the people.
func startIdentityProvider(ctx context.Context) (*devidp.Provider, error) {
	var users []devidp.User
	for _, p := range devPeople {
		users = append(users, devidp.User{ID: p.id, Password: devPassword, Groups: []string{p.group}})
	}
	// The console signs people in with the authorization code flow.
	idp, err := devidp.Start(ctx, devidp.Options{Addr: idpAddr, Audience: audience, Users: users, ConsoleRedirectURIs: []string{consoleCallback}})
	if err != nil {
		return nil, fmt.Errorf("development identity provider on %s: %w", idpAddr, err)
	}
	return idp, nil
}

// writeAuthConfig writes the services' auth configuration: the provider's
// people by their group, and the components' service accounts.
func writeAuthConfig(path, issuer string) error {
	iss := auth.IssuerConfig{Issuer: issuer, Audiences: []string{audience}, RolesClaim: "groups"}
	for _, p := range devPeople {
		scope := p.scope
		iss.Rules = append(iss.Rules, auth.Rule{Value: p.group, Role: p.role, Scope: &scope})
	}
	k := &auth.KubernetesConfig{Audiences: []string{audience}}
	for _, name := range serviceAccounts {
		k.ServiceAccounts = append(k.ServiceAccounts, namespace+"/nextstep-"+name)
	}
	data, err := yaml.Marshal(auth.Config{OIDC: []auth.IssuerConfig{iss}, Kubernetes: k})
	if err != nil {
		return err
	}
	// Checked as a service will check it, so a mistake here stops make run
	// with the reason rather than every call being refused.
	if _, err := auth.ParseConfig(data); err != nil {
		return err
	}
	header := "# Written by make run (hack/devstack/identity.go): how the services\n# decide who calls them. See docs/identity.md.\n"
	return os.WriteFile(path, append([]byte(header), data...), 0o600)
}

// identity is what the components authenticate with: the development
// provider, the services' auth config naming it, and a service-account
// token file for each calling component.
type identity struct {
	idp        *devidp.Provider
	authConfig string
	tokens     map[string]string
}

// startIdentity starts the development provider, writes runDir/auth.yaml
// and keeps the components' service-account tokens fresh in runDir. The
// operator calls the services, and placement and tracking call the pupil
// service, with their service accounts' tokens, as in a cluster.
func startIdentity(ctx context.Context, cp *controlPlane, runDir string) (*identity, error) {
	idp, err := startIdentityProvider(ctx)
	if err != nil {
		return nil, err
	}
	id := &identity{idp: idp, authConfig: filepath.Join(runDir, "auth.yaml")}
	if err := writeAuthConfig(id.authConfig, idp.Issuer()); err != nil {
		_ = idp.Close()
		return nil, err
	}
	if id.tokens, err = serviceAccountTokens(ctx, cp.env.Config, runDir); err != nil {
		_ = idp.Close()
		return nil, err
	}
	return id, nil
}

// tokenLifetime is how long a minted service-account token lasts; they
// are renewed at half that, as the kubelet renews projected tokens at 80%.
const tokenLifetime = time.Hour

// serviceAccountTokens creates the components' service accounts and keeps
// a fresh token of each in runDir/<component>-token until ctx ends, as the
// kubelet keeps a projected serviceAccountToken volume. It returns the
// token files by component once the first tokens are written.
func serviceAccountTokens(ctx context.Context, cfg *rest.Config, runDir string) (map[string]string, error) {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("namespace %s: %w", namespace, err)
	}
	files := map[string]string{}
	for _, name := range serviceAccounts {
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "nextstep-" + name, Namespace: namespace}}
		if _, err := client.CoreV1().ServiceAccounts(namespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("service account %s: %w", sa.Name, err)
		}
		files[name] = filepath.Join(runDir, name+"-token")
	}
	mint := func() error {
		seconds := int64(tokenLifetime / time.Second)
		for _, name := range serviceAccounts {
			tr, err := client.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, "nextstep-"+name, &authenticationv1.TokenRequest{
				Spec: authenticationv1.TokenRequestSpec{Audiences: []string{audience}, ExpirationSeconds: &seconds},
			}, metav1.CreateOptions{})
			if err != nil {
				return fmt.Errorf("token for nextstep-%s: %w", name, err)
			}
			if err := writeAtomically(files[name], tr.Status.Token); err != nil {
				return err
			}
		}
		return nil
	}
	if err := mint(); err != nil {
		return nil, err
	}
	go func() {
		t := time.NewTicker(tokenLifetime / 2)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := mint(); err != nil && ctx.Err() == nil {
					fmt.Fprintln(os.Stderr, "devstack: renewing service-account tokens:", err)
				}
			}
		}
	}()
	return files, nil
}

// writeAtomically replaces path with content, so a reader never sees half
// a token.
func writeAtomically(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// token is `devstack token <user>`: it prints the user's access token from
// the running stack's provider, for curl and grpcurl.
func token(ctx context.Context, user string) error {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+idpAddr+devidp.TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, devPassword)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("is make run running? %w", err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK || body.AccessToken == "" {
		return fmt.Errorf("no token for %q (%s %s): the users are %s", user, res.Status, body.Error, userList())
	}
	fmt.Println(body.AccessToken)
	return nil
}

func userList() string {
	var ids []string
	for _, p := range devPeople {
		ids = append(ids, p.id)
	}
	return strings.Join(ids, ", ")
}
