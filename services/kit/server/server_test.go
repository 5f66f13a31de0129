package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"github.com/prometheus/client_golang/prometheus"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// schools is a minimal PupilService: enough to exercise the server stack
// without a database.
type schools struct {
	pupilv1connect.UnimplementedPupilServiceHandler
}

func (schools) GetSchool(_ context.Context, req *pupilv1.GetSchoolRequest) (*pupilv1.GetSchoolResponse, error) {
	return &pupilv1.GetSchoolResponse{School: &pupilv1.School{Urn: req.GetUrn(), Name: "Test School", LaCode: "336"}}, nil
}

func pupilService() server.Service {
	return server.Service{
		Name: pupilv1connect.PupilServiceName,
		Mount: func(opts ...connect.HandlerOption) (string, http.Handler) {
			return pupilv1connect.NewPupilServiceHandler(schools{}, opts...)
		},
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testServer struct {
	url  string
	logs *syncBuffer
}

func start(t *testing.T, maxBytes int64) testServer {
	t.Helper()
	tokens, err := auth.ParseDevTokens([]byte(`{"tokens":[
		{"token":"server-test-analyst","subject":"analyst-1","role":"analyst","scope":{"kind":"la","id":"336"}},
		{"token":"server-test-admin","subject":"admin-1","role":"hub_admin","scope":{"kind":"la","id":"336"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	h := server.NewHandler(server.Options{
		Logger:          slog.New(slog.NewJSONHandler(logs, nil)),
		Registry:        prometheus.NewRegistry(),
		Authenticator:   tokens,
		MaxRequestBytes: maxBytes,
	}, pupilService())
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = server.Protocols()
	srv.Start()
	t.Cleanup(srv.Close)
	return testServer{url: srv.URL, logs: logs}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestProbesHealthAndReflection(t *testing.T) {
	t.Parallel()
	s := start(t, 0)
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, s.url+path); code != http.StatusOK {
			t.Errorf("GET %s = %d %s", path, code, body)
		}
	}

	// gRPC health, called as curl would, with no token.
	res, err := http.Post(s.url+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader(`{"service":"nextstep.pupil.v1.PupilService"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "SERVING") {
		t.Errorf("health check = %d %s", res.StatusCode, body)
	}

	// Reflection over gRPC, as grpcurl list does.
	stream := grpcreflect.NewClient(servicetest.HTTPClient(), s.url, connect.WithGRPC()).NewStream(context.Background())
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatalf("ListServices: %v", err)
	}
	var listed []string
	for _, n := range names {
		listed = append(listed, string(n))
	}
	if !slices.Contains(listed, pupilv1connect.PupilServiceName) {
		t.Errorf("reflection lists %v, want %s among them", listed, pupilv1connect.PupilServiceName)
	}
}

func TestCallsAreAuthorizedCountedAndLoggedWithoutContent(t *testing.T) {
	t.Parallel()
	s := start(t, 0)
	ctx := context.Background()
	for _, grpc := range []bool{false, true} {
		analyst := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), s.url, servicetest.Options("server-test-analyst", grpc)...)
		if _, err := analyst.GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: "135790"}); err != nil {
			t.Fatalf("GetSchool (grpc=%v): %v", grpc, err)
		}
		_, err := analyst.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{Urn: "135790", Name: "X", LaCode: "336", Phase: pupilv1.Phase_PHASE_SECONDARY}})
		if connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Fatalf("analyst CreateSchool: %v, want PermissionDenied", err)
		}
	}
	// A method with an access policy but no implementation is still
	// authorized first, then answers Unimplemented.
	admin := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), s.url, servicetest.Options("server-test-admin", false)...)
	_, err := admin.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{Urn: "135790", Name: "X", LaCode: "336", Phase: pupilv1.Phase_PHASE_SECONDARY}})
	if connect.CodeOf(err) != connect.CodeUnimplemented {
		t.Fatalf("admin CreateSchool: %v, want Unimplemented", err)
	}

	_, metrics := get(t, s.url+"/metrics")
	for _, want := range []string{
		`nextstep_rpc_server_handled_total{code="ok",procedure="/nextstep.pupil.v1.PupilService/GetSchool"} 2`,
		`nextstep_rpc_server_handled_total{code="permission_denied",procedure="/nextstep.pupil.v1.PupilService/CreateSchool"} 2`,
		`nextstep_rpc_server_handling_seconds_count{procedure="/nextstep.pupil.v1.PupilService/GetSchool"} 2`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	logs := s.logs.String()
	if !strings.Contains(logs, `"subject":"analyst-1"`) || !strings.Contains(logs, `"procedure":"/nextstep.pupil.v1.PupilService/GetSchool"`) {
		t.Errorf("logs lack the call: %s", logs)
	}
	if strings.Contains(logs, "135790") {
		t.Errorf("a request field reached the logs: %s", logs)
	}
}

func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	s := start(t, 0)
	for name, token := range map[string]string{"no token": "", "unknown token": "not-a-token"} {
		client := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), s.url, servicetest.Options(token, true)...)
		_, err := client.GetSchool(context.Background(), &pupilv1.GetSchoolRequest{Urn: "100001"})
		if connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("%s: %v, want Unauthenticated", name, err)
		}
	}
}

func TestRequestSizeLimit(t *testing.T) {
	t.Parallel()
	s := start(t, 64)
	client := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), s.url, servicetest.Options("server-test-admin", false)...)
	_, err := client.CreateSchool(context.Background(), &pupilv1.CreateSchoolRequest{School: &pupilv1.School{Urn: "100001", Name: strings.Repeat("x", 200), LaCode: "336"}})
	if connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("oversized request: %v, want ResourceExhausted", err)
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- server.Serve(ctx, l, http.NotFoundHandler(), 5*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	if code, _ := get(t, "http://"+l.Addr().String()+"/"); code != http.StatusNotFound {
		t.Fatalf("server not serving: %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	if _, err := http.Get("http://" + l.Addr().String() + "/"); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("server still answers after shutdown (err %v)", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	spec := server.Spec{Name: "pupil", DefaultListen: "127.0.0.1:8081"}
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

	cfg, err := server.ConfigFromEnv(spec, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:8081" || cfg.DatabaseURL != server.DefaultDatabaseURL || cfg.DevTokensFile != "" {
		t.Errorf("defaults = %+v", cfg)
	}
	for name, kv := range map[string]map[string]string{
		"bad log level":               {"NEXTSTEP_LOG_LEVEL": "loud"},
		"bad grace":                   {"NEXTSTEP_SHUTDOWN_GRACE": "soon"},
		"bad size":                    {"NEXTSTEP_MAX_REQUEST_BYTES": "-1"},
		"dev tokens without the flag": {"NEXTSTEP_DEV_TOKENS_FILE": "tokens.json"},
		"flag neither true nor false": {"NEXTSTEP_DEV_TOKENS_FILE": "tokens.json", "NEXTSTEP_ALLOW_DEV_TOKENS": "yes"},
		"dev tokens in a cluster": {"NEXTSTEP_DEV_TOKENS_FILE": "tokens.json", "NEXTSTEP_ALLOW_DEV_TOKENS": "true",
			"KUBERNETES_SERVICE_HOST": "10.96.0.1"},
	} {
		if _, err := server.ConfigFromEnv(spec, env(kv)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	cfg, err = server.ConfigFromEnv(spec, env(map[string]string{"NEXTSTEP_DEV_TOKENS_FILE": "tokens.json", "NEXTSTEP_ALLOW_DEV_TOKENS": "true",
		"NEXTSTEP_AUTH_CONFIG": "/etc/nextstep/auth.yaml"}))
	if err != nil || !cfg.AllowDevTokens || cfg.AuthConfig != "/etc/nextstep/auth.yaml" {
		t.Errorf("development tokens allowed on a laptop = %+v, %v", cfg, err)
	}
}
