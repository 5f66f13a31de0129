package pupilapi_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilapi"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
)

// today is the tests' clock: in academic year 2025/26, after every date
// the tests' files say something was true on.
var today = time.Date(2025, time.December, 1, 12, 0, 0, 0, time.UTC)

// env is the pupil service on a fresh database with four schools: 100001
// and 100002 in LA 336, 100003 in LA 330 (all in the test hub) and 100009
// in LA 201 (outside it).
type env struct {
	pool   *pgxpool.Pool
	url    string
	client func(token string) pupilv1connect.PupilServiceClient
}

func newEnv(t *testing.T) *env {
	t.Helper()
	pool := dbtest.NewPool(t, "pupil", migrations.FS)
	svcs, err := pupilapi.ServicesWith(server.Deps{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return today }}, pupilapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := servicetest.Start(t, "pupil", pool, svcs...)
	e := &env{pool: pool, url: srv.URL, client: func(token string) pupilv1connect.PupilServiceClient {
		return pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), srv.URL, servicetest.Options(token, false)...)
	}}
	for _, s := range []store.School{
		{URN: "100001", Name: "Heath Park School", LACode: "336", Phase: "secondary", Open: true},
		{URN: "100002", Name: "Another Academy", LACode: "336", Phase: "secondary", Open: true},
		{URN: "100003", Name: "Birmingham High", LACode: "330", Phase: "secondary", Open: true},
		{URN: "100009", Name: "City School", LACode: "201", Phase: "secondary", Open: true},
	} {
		if _, _, err := store.InsertSchool(context.Background(), pool, s); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// importFile uploads data in chunks of chunk bytes.
func (e *env) importFile(ctx context.Context, token string, header *pupilv1.ImportHeader, data []byte, chunk int) (*pupilv1.ImportPupilsResponse, error) {
	stream, err := e.client(token).ImportPupils(ctx)
	if err != nil {
		return nil, err
	}
	if err := stream.Send(&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Header{Header: header}}); err != nil {
		return stream.CloseAndReceive()
	}
	for r := bytes.NewReader(data); r.Len() > 0; {
		buf := make([]byte, min(chunk, r.Len()))
		_, _ = r.Read(buf)
		if err := stream.Send(&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Chunk{Chunk: buf}}); err != nil {
			break // the server has answered; CloseAndReceive says how
		}
	}
	return stream.CloseAndReceive()
}

func csvHeader() *pupilv1.ImportHeader {
	return &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV}
}

// pupilCount is the number of pupils stored.
func (e *env) pupilCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pupil.pupils`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// snapshot reads a whole cohort snapshot.
func (e *env) snapshot(t *testing.T, token string, req *pupilv1.GetCohortSnapshotRequest) ([]*pupilv1.GetCohortSnapshotResponse, error) {
	t.Helper()
	stream, err := e.client(token).GetCohortSnapshot(context.Background(), req)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	var msgs []*pupilv1.GetCohortSnapshotResponse
	for stream.Receive() {
		msgs = append(msgs, stream.Msg())
	}
	return msgs, stream.Err()
}

// newKey is a fresh idempotency key.
func newKey() string { return pupiltest.NewID() }
