package changefeed_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
)

// Only a caller who may see everything follows a feed: the service role's
// scope is always everything today, so a restricted one is refused should
// that ever change.
func TestUnrestricted(t *testing.T) {
	for name, tc := range map[string]struct {
		principal *auth.Principal
		want      connect.Code
	}{
		"the operator":           {principal: &auth.Principal{Role: auth.RoleService, Scope: auth.Everything()}},
		"a service scoped to LA": {principal: &auth.Principal{Role: auth.RoleService, Scope: auth.LocalAuthorities("336")}, want: connect.CodePermissionDenied},
		"a school's scope":       {principal: &auth.Principal{Role: auth.RoleService, Scope: auth.School("100001")}, want: connect.CodePermissionDenied},
		"no one":                 {want: connect.CodePermissionDenied},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if tc.principal != nil {
				ctx = auth.WithPrincipal(ctx, *tc.principal)
			}
			err := changefeed.Unrestricted(ctx)
			if got := connect.CodeOf(err); (err == nil) != (tc.want == 0) || (err != nil && got != tc.want) {
				t.Errorf("Unrestricted = %v, want code %v", err, tc.want)
			}
		})
	}
}
