package rules_test

import (
	"fmt"
	"testing"
	"time"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
)

// BenchmarkEvaluateRegion evaluates a region's worth of cohorts: 1,500
// cohorts of 200 pupils (300,000 pupils), the design's regional scale.
func BenchmarkEvaluateRegion(b *testing.B) {
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26"})
	if err != nil {
		b.Fatal(err)
	}
	members := make([]rules.Member, 200)
	for i := range members {
		members[i] = rules.Member{
			PupilID:  fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			HalfDays: int32(i % 14),
			Risk:     rules.Risk{Score: int32(i % 90), Factors: []rules.RiskFactor{{Factor: "attendance", Weight: 30, Evidence: "attendance 84% below 90%"}}},
		}
	}
	today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		for range 1500 {
			rules.Evaluate(p, rules.Cohort{YearGroup: 9, AcademicYear: y2025}, today, members)
		}
	}
}
