package changefeed_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// Only a caller who may see everything follows a feed: the service role's
// scope is always everything today, so a restricted one is refused should
// that ever change.
func TestAdmitUnrestricted(t *testing.T) {
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
			err := changefeed.Admit(ctx, "")
			if got := connect.CodeOf(err); (err == nil) != (tc.want == 0) || (err != nil && got != tc.want) {
				t.Errorf("Admit = %v, want code %v", err, tc.want)
			}
		})
	}
}

// A position is admitted only in the form PostgreSQL gives a snapshot, and
// whatever is admitted PostgreSQL takes as one, so a caller's position can
// make an answer fail only with InvalidArgument on "after", never with the
// statement's error. The positions PostgreSQL gives are all admitted.
func TestAdmitPosition(t *testing.T) {
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{Role: auth.RoleService, Scope: auth.Everything()})
	conn, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	var current string
	if err := conn.QueryRow(ctx, "SELECT pg_current_snapshot()::text").Scan(&current); err != nil {
		t.Fatal(err)
	}
	admitted := []string{"", current, "1:1:", "5:9:", "5:9:5", "5:9:5,6,8", "5:9:6,6", "05:9:6",
		"18446744073709551615:18446744073709551615:"}
	refused := []string{"0:1:", "1:0:", "5:4:", "5:9:9", "5:9:4", "5:9:7,6", "abc", "5:9", "5", "5:9:,",
		"5:9:6,", "+5:9:", " 5:9:", "5:9:6 ", "-1:9:", "5:9:6;7", "5:9:6,7x", "18446744073709551616:1:", "::"}
	for _, p := range admitted {
		if err := changefeed.Admit(ctx, p); err != nil {
			t.Errorf("Admit(%q) = %v, want it admitted", p, err)
			continue
		}
		if p == "" {
			continue
		}
		var visible bool
		if err := conn.QueryRow(ctx, "SELECT pg_visible_in_snapshot('1'::xid8, $1::text::pg_snapshot)", p).Scan(&visible); err != nil {
			t.Errorf("admitted %q, which PostgreSQL refuses: %v", p, err)
		}
	}
	for _, p := range refused {
		err := changefeed.Admit(ctx, p)
		if connect.CodeOf(err) != connect.CodeInvalidArgument || len(rpcerror.Fields(err)) != 1 || rpcerror.Fields(err)[0] != "after" {
			t.Errorf("Admit(%q) = %v, want InvalidArgument on after", p, err)
		}
	}
}
