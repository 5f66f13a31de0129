package credentials_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
)

// school answers GetSchool with a response of a few KiB, which a server
// compresses when the client accepts it.
type school struct {
	pupilv1connect.UnimplementedPupilServiceHandler
}

func (school) GetSchool(context.Context, *pupilv1.GetSchoolRequest) (*pupilv1.GetSchoolResponse, error) {
	return &pupilv1.GetSchoolResponse{School: &pupilv1.School{Urn: "135790", Name: strings.Repeat("Test School ", 400)}}, nil
}

func TestClientOptions(t *testing.T) {
	t.Parallel()
	// Each call's Authorization header, as the server received it.
	auths := make(chan string, 1)
	mux := http.NewServeMux()
	mux.Handle(pupilv1connect.NewPupilServiceHandler(school{}, connect.WithCompressMinBytes(1024)))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auths <- r.Header.Get("Authorization")
		mux.ServeHTTP(w, r)
	}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)

	// Each response's encoding: whether the server compressed it.
	encoding := make(chan string, 1)
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	hc := &http.Client{Transport: recordEncoding{&http.Transport{Protocols: protocols}, encoding}}
	call := func(opts ...connect.ClientOption) (auth, enc string) {
		t.Helper()
		client := pupilv1connect.NewPupilServiceClient(hc, srv.URL, opts...)
		if _, err := client.GetSchool(context.Background(), &pupilv1.GetSchoolRequest{Urn: "135790"}); err != nil {
			t.Fatal(err)
		}
		return <-auths, <-encoding
	}

	// A gRPC client as Connect makes one by default is sent gzip.
	if _, enc := call(connect.WithGRPC()); enc != "gzip" {
		t.Fatalf("default gRPC client: response encoding %q, want gzip (else this test shows nothing)", enc)
	}
	auth, enc := call(credentials.ClientOptions(credentials.StaticToken("a-token"))...)
	if enc != "" {
		t.Errorf("ClientOptions: response encoding %q, want none", enc)
	}
	if auth != "Bearer a-token" {
		t.Errorf("ClientOptions: Authorization %q, want the bearer token", auth)
	}

	// The console's Connect-protocol client: gzip by default, none with
	// Uncompressed.
	if _, enc := call(); enc != "gzip" {
		t.Fatalf("default Connect client: response encoding %q, want gzip (else this test shows nothing)", enc)
	}
	if _, enc := call(credentials.Uncompressed); enc != "" {
		t.Errorf("Uncompressed: response encoding %q, want none", enc)
	}
}

type recordEncoding struct {
	next     http.RoundTripper
	encoding chan<- string
}

func (r recordEncoding) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	if err == nil {
		// gRPC's header, or a Connect unary response's.
		r.encoding <- res.Header.Get("Grpc-Encoding") + res.Header.Get("Content-Encoding")
	}
	return res, err
}
