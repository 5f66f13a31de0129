package auth

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// Config says how a service decides who calls it, read from the YAML file
// NEXTSTEP_AUTH_CONFIG names (the chart renders it from its values):
//
//	oidc:                       # people, signed in with their organisation
//	  - issuer: https://login.example/realms/wmca
//	    audiences: [nextstep]
//	    rolesClaim: groups      # the claim whose values the rules match
//	    rules:
//	      - value: nextstep-hub-admins
//	        role: hub_admin
//	        scope: {kind: hub, id: wmca, la_codes: ["330", "336"]}
//	      - value: careers-136001
//	        role: careers_leader
//	        scope: {kind: school, id: "136001"}
//	kubernetes:                 # nextstep's own components
//	  audiences: [nextstep]
//	  serviceAccounts: [nextstep/nextstep-operator]
//
// Adding a school or a local authority is a rule here, not a change of code.
type Config struct {
	// OIDC are the identity providers whose people may call, each with the
	// rules that turn a person's claims into a role and a scope.
	OIDC []IssuerConfig `json:"oidc,omitempty"`
	// Kubernetes accepts service-account tokens, checked with the API
	// server's TokenReview, for the service accounts it names.
	Kubernetes *KubernetesConfig `json:"kubernetes,omitempty"`
}

// IssuerConfig is one OpenID Connect provider.
type IssuerConfig struct {
	// Issuer is the provider's issuer URL, exactly as its tokens' iss
	// claim and its discovery document (<issuer>/.well-known/openid-configuration)
	// give it: https, or http on a loopback address for development.
	Issuer string `json:"issuer"`
	// Audiences are the audiences a token must be for (its aud claim holds
	// at least one): the client id nextstep is registered under.
	Audiences []string `json:"audiences"`
	// ClockSkewSeconds is how long after its expiry a token is still
	// accepted, for clocks that disagree; 30 when 0. go-oidc allows a
	// token's nbf five minutes.
	ClockSkewSeconds int `json:"clockSkewSeconds,omitempty"`
	// SubjectClaim names the claim that identifies the person in logs and
	// the audit log; "sub" when empty. Never a claim holding a name.
	SubjectClaim string `json:"subjectClaim,omitempty"`
	// RolesClaim names the claim (a string or a list of strings, such as
	// groups or roles) whose values the rules match.
	RolesClaim string `json:"rolesClaim"`
	// Rules turn a claim value into a role and a scope. The first rule, in
	// order, whose value the person's claim holds decides; a person no rule
	// matches is refused.
	Rules []Rule `json:"rules"`
}

// Rule gives the people whose roles claim holds Value a role and a scope.
type Rule struct {
	Value string `json:"value"`
	// Role is hub_admin, caseworker, careers_leader or analyst. The
	// service role is never given to a person.
	Role  string `json:"role"`
	Scope *Scope `json:"scope"`
}

// KubernetesConfig accepts the projected service-account tokens of
// nextstep's own components.
type KubernetesConfig struct {
	// Audiences are the audiences the token must be bound to, as the pod's
	// serviceAccountToken volume requests it.
	Audiences []string `json:"audiences"`
	// ServiceAccounts are the service accounts, as namespace/name, that
	// act as the service role. Any other is refused.
	ServiceAccounts []string `json:"serviceAccounts"`
}

// LoadConfig reads and checks the configuration file at path.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read auth config: %w", err)
	}
	return ParseConfig(data)
}

// ParseConfig reads and checks a configuration. Every mistake is refused,
// naming the field: an unknown key, a rule without a scope, a role that
// does not exist, a service role for people, an issuer that is not https.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return Config{}, fmt.Errorf("auth config: %w", err)
	}
	return c, c.validate()
}

func (c Config) validate() error {
	if len(c.OIDC) == 0 && c.Kubernetes == nil {
		return errors.New("auth config: neither oidc nor kubernetes is configured: every call would be refused")
	}
	seen := map[string]bool{}
	for i, iss := range c.OIDC {
		field := fmt.Sprintf("oidc[%d]", i)
		u, err := url.Parse(iss.Issuer)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && (u.Scheme != "http" || !loopback(u.Hostname()))):
			return fmt.Errorf("auth config: %s.issuer must be an https URL (http only on a loopback address)", field)
		case seen[iss.Issuer]:
			return fmt.Errorf("auth config: %s.issuer repeats an earlier issuer", field)
		case len(iss.Audiences) == 0:
			return fmt.Errorf("auth config: %s.audiences: at least one is required", field)
		case iss.ClockSkewSeconds < 0 || iss.ClockSkewSeconds > 300:
			return fmt.Errorf("auth config: %s.clockSkewSeconds must be from 0 to 300", field)
		case iss.RolesClaim == "":
			return fmt.Errorf("auth config: %s.rolesClaim is required", field)
		case len(iss.Rules) == 0:
			return fmt.Errorf("auth config: %s.rules: at least one is required", field)
		}
		seen[iss.Issuer] = true
		for j, r := range iss.Rules {
			rf := fmt.Sprintf("%s.rules[%d]", field, j)
			role, err := ParseRole(r.Role)
			switch {
			case r.Value == "":
				return fmt.Errorf("auth config: %s.value is required", rf)
			case err != nil:
				return fmt.Errorf("auth config: %s.role: %w", rf, err)
			case role == RoleService:
				return fmt.Errorf("auth config: %s.role: the service role is for nextstep's components, which prove who they are with Kubernetes", rf)
			case r.Scope == nil:
				return fmt.Errorf("auth config: %s.scope is required", rf)
			case r.Scope.All:
				return fmt.Errorf("auth config: %s.scope: all is for nextstep's components, never a person", rf)
			}
		}
	}
	if k := c.Kubernetes; k != nil {
		if len(k.Audiences) == 0 {
			return errors.New("auth config: kubernetes.audiences: at least one is required")
		}
		if len(k.ServiceAccounts) == 0 {
			return errors.New("auth config: kubernetes.serviceAccounts: at least one is required")
		}
		for i, sa := range k.ServiceAccounts {
			ns, name, ok := strings.Cut(sa, "/")
			if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
				return fmt.Errorf("auth config: kubernetes.serviceAccounts[%d] must be namespace/name", i)
			}
		}
	}
	return nil
}

func loopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
