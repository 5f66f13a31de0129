package pupilapi_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilapi"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/synthetic"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

// BenchmarkCohortSnapshot reads a 1,500-pupil cohort (a large school's year
// group) the way the reconciler does: one streaming call.
func BenchmarkCohortSnapshot(b *testing.B) {
	const n = 1500
	pool := dbtest.NewPool(b, "pupil", migrations.FS)
	if _, _, err := store.InsertSchool(context.Background(), pool, store.School{URN: "100001", Name: "Heath Park School", LACode: "336", Phase: "secondary", Open: true}); err != nil {
		b.Fatal(err)
	}
	srv := servicetest.Start(b, "pupil", pool, pupilapi.Services(server.Deps{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})...)
	client := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), srv.URL, servicetest.Options(servicetest.Service, true)...)
	e := &env{pool: pool, client: func(string) pupilv1connect.PupilServiceClient { return client }}
	var buf bytes.Buffer
	if err := synthetic.CSV(&buf, n, "100001", yeargroup.AcademicYear{Start: 2025}); err != nil {
		b.Fatal(err)
	}
	if _, err := e.importFile(context.Background(), servicetest.Service, csvHeader(), buf.Bytes(), 1<<20); err != nil {
		b.Fatal(err)
	}
	req := &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100001", YearGroup: 7, AcademicYear: "2025/26"}
	for b.Loop() {
		stream, err := client.GetCohortSnapshot(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		var last *pupilv1.GetCohortSnapshotResponse
		for stream.Receive() {
			last = stream.Msg()
		}
		if err := stream.Err(); err != nil || !last.GetComplete() || last.GetTotal() != n {
			b.Fatalf("snapshot: %v, %v", err, last)
		}
		stream.Close()
	}
}
