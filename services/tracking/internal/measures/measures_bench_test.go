package measures_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/currency"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/measures"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/nccis"
)

// synthetic is n young people across las local authorities, aged 15 to 18,
// with 1 to 3 confirmed activities each, effective from June 2025 to March
// 2026 and lapsing as currency.Default says: the same people for a seed.
func synthetic(n, las int, seed uint64) []measures.Person {
	r := rand.New(rand.NewPCG(seed, seed))
	cfg := currency.Default()
	from := time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC)
	people := make([]measures.Person, n)
	for i := range people {
		acts := make([]measures.Activity, 1+r.IntN(3))
		for j := range acts {
			c := nccis.Table[r.IntN(len(nccis.Table))]
			effective := from.AddDate(0, 0, r.IntN(300))
			acts[j] = measures.Activity{Code: c.Code, Effective: effective, LapsesOn: cfg.LapsesOn(c.Group, effective, time.Time{})}
		}
		people[i] = measures.Person{
			ID: fmt.Sprintf("p%06d", i), LACode: fmt.Sprintf("%03d", 800+r.IntN(las)),
			AcademicAge: 15 + r.IntN(4), Activities: acts,
		}
	}
	return people
}

func BenchmarkAt300k(b *testing.B) {
	people := synthetic(300_000, 150, 1)
	on := time.Date(2026, time.January, 31, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if len(measures.At(people, on)) != 150 {
			b.Fatal("not 150 local authorities")
		}
	}
}

func BenchmarkHeadline300k(b *testing.B) {
	people := synthetic(300_000, 150, 1)
	b.ReportAllocs()
	for b.Loop() {
		if len(measures.Headlines(people, 2025)) != 150 {
			b.Fatal("not 150 local authorities")
		}
	}
}
