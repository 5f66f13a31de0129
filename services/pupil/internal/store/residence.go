package store

import (
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

// LAOn is the LA a young person lived in on day, from the residences they
// left (oldest first) and the one they live in now; "" when the records do
// not say (before the first residence recorded, or none). Pure.
func LAOn(current *intake.Residence, moves []Move, day time.Time) string {
	for _, m := range moves {
		if day.Before(m.MovedOn) {
			if m.Since.IsZero() || !day.Before(m.Since) {
				return m.LACode
			}
			return ""
		}
	}
	if current == nil || (!current.Since.IsZero() && day.Before(current.Since)) {
		return ""
	}
	return current.LACode
}

// LAAtYear11 is NCCIS's YP12, "LA code at year 11": the LA the young
// person lived in on the last day of their Year 11 (31 August), once that
// day has passed; "" before it, or when the records do not say.
func LAAtYear11(r intake.Record, moves []Move, today time.Time) string {
	end := time.Date(yeargroup.Entry(r.DateOfBirth, r.YearGroupOffset)+12, time.August, 31, 0, 0, 0, 0, time.UTC)
	if today.Before(end) {
		return ""
	}
	return LAOn(r.Residence, moves, end)
}
