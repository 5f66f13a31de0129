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

// BenchmarkImportRPC300k uploads a 300,000-pupil CSV through a real Connect
// client in 1 MiB chunks: the whole path a school's upload takes, audit
// included. Compare with the store package's BenchmarkCopyIntoPupils.
func BenchmarkImportRPC300k(b *testing.B) {
	const n = 300_000
	var buf bytes.Buffer
	if err := synthetic.CSV(&buf, n, "100001", yeargroup.AcademicYear{Start: 2025}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for b.Loop() {
		b.StopTimer()
		pool := dbtest.NewPool(b, "pupil", migrations.FS)
		if _, _, err := store.InsertSchool(context.Background(), pool, store.School{URN: "100001", Name: "Heath Park School", LACode: "336", Phase: "secondary", Open: true}); err != nil {
			b.Fatal(err)
		}
		srv := servicetest.Start(b, "pupil", pool, pupilapi.Services(server.Deps{Pool: pool, Logger: logger})...)
		e := &env{pool: pool, client: func(token string) pupilv1connect.PupilServiceClient {
			return pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), srv.URL, servicetest.Options(token, false)...)
		}}
		b.StartTimer()
		res, err := e.importFile(context.Background(), servicetest.HubAdmin, &pupilv1.ImportHeader{
			Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV, SizeBytes: int64(len(data))}, data, 1<<20)
		if err != nil || res.GetInserted() != n {
			b.Fatalf("import: %v, %d inserted", err, res.GetInserted())
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pupils/s")
}
