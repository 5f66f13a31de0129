// Package pupiltest runs the real pupil service in-process for the tests of
// the services that ask it where pupils are on roll (placement, tracking)
// and of those that call all three (the operator's end-to-end suites). It
// registers schools and pupils through the service's own API, so every
// pupil a test names exists, with a valid UPN, at a real school.
package pupiltest

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	geov1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/geo/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

// Schools are the schools tests enrol pupils at, by URN, with their local
// authority. They line up with servicetest's principals: 100001 and 100002
// are in Wolverhampton (336, the Caseworker's), 100003 in Birmingham (330,
// in the HubAdmin's hub but not the Caseworker's LA), and 100009 in the
// City of London (201, another hub's).
var Schools = map[string]string{
	"100001": "336",
	"100002": "336",
	"100003": "330",
	"100009": "201",
}

// Locations are where Schools are: 336's in Wolverhampton, 330's in
// Birmingham (about 19 km away), 201's in the City of London.
var Locations = map[string]*geov1.Point{
	"100001": {Latitude: 52.586, Longitude: -2.129},
	"100002": {Latitude: 52.590, Longitude: -2.110},
	"100003": {Latitude: 52.480, Longitude: -1.903},
	"100009": {Latitude: 51.515, Longitude: -0.092},
}

// Service is the pupil service under test.
type Service struct {
	URL string
	// DB is its database, for tests that check what was written.
	DB  *pgxpool.Pool
	srv *servicetest.Server

	mu      sync.Mutex
	schools map[string]bool
	serial  int
}

// Start serves the pupil service on a fresh database until the test ends.
func Start(t testing.TB) *Service {
	t.Helper()
	pool := dbtest.NewPool(t, pupil.Spec.Name, pupil.Spec.Migrations)
	srv := servicetest.Start(t, pupil.Spec.Name, pool, pupil.Spec.Services(server.Deps{
		Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now,
	})...)
	return &Service{URL: srv.URL, DB: pool, srv: srv, schools: map[string]bool{}}
}

// Close stops the service before the test ends, as an outage would.
func (s *Service) Close() { s.srv.Close() }

// Directory is an enrolment.Directory on the service, calling as a nextstep
// service does.
func (s *Service) Directory() enrolment.Directory {
	return enrolment.NewClient(s.URL, credentials.StaticToken(servicetest.Service))
}

// as returns a client calling as the principal with token.
func (s *Service) as(token string) pupilv1connect.PupilServiceClient {
	return pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), s.URL, servicetest.Options(token, false)...)
}

// adminOf is a hub admin whose scope covers the local authority.
func adminOf(la string) string {
	if la == "201" {
		return servicetest.OtherHubAdmin
	}
	return servicetest.HubAdmin
}

// School registers the school with urn (one of Schools) once.
func (s *Service) School(t testing.TB, urn string) {
	t.Helper()
	la, ok := Schools[urn]
	if !ok {
		t.Fatalf("pupiltest: school %s is not one of pupiltest.Schools", urn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.schools[urn] {
		return
	}
	_, err := s.as(adminOf(la)).CreateSchool(context.Background(), &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
		Urn: urn, Name: "School " + urn, LaCode: la, Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true, Location: Locations[urn],
	}})
	if err != nil {
		t.Fatalf("pupiltest: CreateSchool %s: %v", urn, err)
	}
	s.schools[urn] = true
}

// Enrol registers a new pupil on roll at the school with urn (registering
// the school first if need be) and returns the pupil's id. The pupil is in
// Year 9 in 2025/26.
func (s *Service) Enrol(t testing.TB, urn string) string {
	t.Helper()
	return s.EnrolBorn(t, urn, "2011-10-01")
}

// EnrolBorn is Enrol for a pupil born on dob (YYYY-MM-DD).
func (s *Service) EnrolBorn(t testing.TB, urn, dob string) string {
	t.Helper()
	s.School(t, urn)
	s.mu.Lock()
	s.serial++
	n := s.serial
	s.mu.Unlock()
	rest := fmt.Sprintf("%s%04d25%03d", Schools[urn], 4000+n/1000, n%1000)
	res, err := s.as(adminOf(Schools[urn])).CreatePupil(context.Background(), &pupilv1.CreatePupilRequest{
		IdempotencyKey: NewID(),
		Pupil: &pupilv1.Pupil{
			Upn:           string(upn.CheckLetter(rest)) + rest,
			LegalSurname:  "Testpupil",
			LegalForename: fmt.Sprintf("Number %d", n),
			DateOfBirth:   dob,
			SchoolUrn:     urn,
		},
	})
	if err != nil {
		t.Fatalf("pupiltest: CreatePupil at %s: %v", urn, err)
	}
	return res.GetPupil().GetId()
}

// Move transfers the pupil with id to the school with urn, as a hub admin
// covering both schools would.
func (s *Service) Move(t testing.TB, id, urn string) {
	t.Helper()
	s.School(t, urn)
	ctx := context.Background()
	c := s.as(adminOf(Schools[urn]))
	got, err := c.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: id})
	if err != nil {
		t.Fatalf("pupiltest: GetPupil: %v", err)
	}
	p := got.GetPupil()
	version := p.GetVersion()
	p.SchoolUrn, p.Version, p.YearGroup, p.Risk, p.UpdatedAt = urn, 0, 0, nil, nil
	if _, err := c.UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: p, Version: version}); err != nil {
		t.Fatalf("pupiltest: move pupil to %s: %v", urn, err)
	}
}

// Reside records that the pupil with id lives in the local authority la
// from since (YYYY-MM-DD, or empty for today), as the hub admin covering
// their school would: a move when they lived elsewhere.
func (s *Service) Reside(t testing.TB, id, la, since string) {
	t.Helper()
	s.update(t, id, "record residence in "+la, func(p *pupilv1.Pupil) { p.ResidenceLaCode, p.ResidentSince = la, since })
}

// Factors records the pupil's risk factors, as the hub admin covering
// their school would.
func (s *Service) Factors(t testing.TB, id string, f *pupilv1.RiskFactors) {
	t.Helper()
	s.update(t, id, "record risk factors", func(p *pupilv1.Pupil) { p.RiskFactors = f })
}

// update changes the pupil with id as change says, as the hub admin
// covering their school would.
func (s *Service) update(t testing.TB, id, what string, change func(*pupilv1.Pupil)) {
	t.Helper()
	ctx := context.Background()
	got, err := s.as(servicetest.Service).GetPupil(ctx, &pupilv1.GetPupilRequest{Id: id})
	if err != nil {
		t.Fatalf("pupiltest: GetPupil: %v", err)
	}
	p := got.GetPupil()
	c := s.as(adminOf(Schools[p.GetSchoolUrn()]))
	version := p.GetVersion()
	change(p)
	p.Version, p.YearGroup, p.Risk, p.UpdatedAt, p.ResidenceHistory = 0, 0, nil, nil, nil
	if _, err := c.UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: p, Version: version}); err != nil {
		t.Fatalf("pupiltest: %s: %v", what, err)
	}
}

// NewID returns a random (version 4) UUID: an idempotency key, or the id of
// a pupil nobody registered.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
