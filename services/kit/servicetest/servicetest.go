// Package servicetest serves a service's Connect handlers in-process, through
// the same server.NewHandler stack production uses (authentication,
// authorization, validation, telemetry), for tests that call them with real
// Connect and gRPC clients over HTTP/2.
package servicetest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/server"
)

// The standard test callers, by name. People (every role but the service)
// sign in with the development OpenID Connect provider, as they would with
// their organisation's; Token gives a caller's bearer token. The service
// caller keeps a development token. Their subjects, roles and scopes are in
// Principals.
const (
	HubAdmin      = "test-hub-admin"      // hub "wmca" covering LAs 336 and 330
	Caseworker    = "test-caseworker"     // local authority 336
	CareersLeader = "test-careers-leader" // school 100001
	Analyst       = "test-analyst"        // hub "wmca"
	Service       = "test-service"        // every record
	OtherLeader   = "test-other-leader"   // school 100002
	// The principals of another hub: a hub admin and a caseworker whose
	// area (local authority 201) shares nothing with the hub above.
	OtherHubAdmin   = "test-other-hub-admin"  // hub "london" covering LA 201
	OtherCaseworker = "test-other-caseworker" // local authority 330, in the hub but not 336
)

// Principals are the standard test principals by caller name.
var Principals = map[string]auth.Principal{
	HubAdmin:        {Subject: "hub-admin", Role: auth.RoleHubAdmin, Scope: auth.LocalAuthorities("336", "330")},
	Caseworker:      {Subject: "caseworker", Role: auth.RoleCaseworker, Scope: auth.LocalAuthorities("336")},
	CareersLeader:   {Subject: "careers-leader", Role: auth.RoleCareersLeader, Scope: auth.School("100001")},
	Analyst:         {Subject: "analyst", Role: auth.RoleAnalyst, Scope: auth.LocalAuthorities("336", "330")},
	Service:         {Subject: "operator", Role: auth.RoleService, Scope: auth.Everything()},
	OtherLeader:     {Subject: "other-leader", Role: auth.RoleCareersLeader, Scope: auth.School("100002")},
	OtherHubAdmin:   {Subject: "other-hub-admin", Role: auth.RoleHubAdmin, Scope: auth.LocalAuthorities("201")},
	OtherCaseworker: {Subject: "other-caseworker", Role: auth.RoleCaseworker, Scope: auth.LocalAuthorities("330")},
}

// Server is a service under test.
type Server struct {
	URL      string
	Registry *prometheus.Registry
	srv      *httptest.Server
}

// Close stops the server before the test ends, as an outage would; calls
// in flight are cut off.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Start serves services on an unencrypted HTTP/2 test server, stopped when
// the test ends. schema is the service's PostgreSQL schema; pool may be nil
// for a test that needs no database.
func Start(t testing.TB, schema string, pool *pgxpool.Pool, services ...server.Service) *Server {
	t.Helper()
	reg := prometheus.NewRegistry()
	h := server.NewHandler(server.Options{
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry:      reg,
		Authenticator: Authenticator(t),
		Pool:          pool,
		Schema:        schema,
	}, services...)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = server.Protocols()
	srv.Start()
	t.Cleanup(srv.Close)
	return &Server{URL: srv.URL, Registry: reg, srv: srv}
}

// HTTPClient speaks unencrypted HTTP/2 only, as gRPC needs (a transport
// that also allows HTTP/1.1 picks HTTP/1.1 for http:// URLs). Use
// http.DefaultClient to call as curl does, over HTTP/1.1.
func HTTPClient() *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p}}
}

// Options are the client options for calling as the named caller,
// over the Connect protocol, or over gRPC when grpc is true.
func Options(caller string, grpc bool) []connect.ClientOption {
	opts := []connect.ClientOption{connect.WithInterceptors(credentials.NewInterceptor(credentials.StaticToken(Token(caller))))}
	if grpc {
		opts = append(opts, connect.WithGRPC())
	}
	return opts
}
