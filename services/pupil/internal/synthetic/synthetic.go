// Package synthetic makes invented pupils for tests and benchmarks: valid
// UPNs, made-up names, dates of birth of a chosen year group. No real
// pupil's data is anywhere in this repository.
package synthetic

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

// UPN is the i-th invented UPN of local authority 336 (up to 10 million).
func UPN(i int) string {
	rest := fmt.Sprintf("336%04d25%03d", 4000+i/1000, i%1000)
	return string(upn.CheckLetter(rest)) + rest
}

// BornInYear7 is a date of birth that puts a pupil in Year 7 in year; the
// day varies with i across the whole birth year.
func BornInYear7(year yeargroup.AcademicYear, i int) time.Time {
	first := time.Date(year.Start-12, time.September, 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 0, i%365)
}

var surnames = []string{"Testperson", "Samplename", "Fictional", "Madeup", "Placeholder", "Invented"}
var forenames = []string{"Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"}

// CSVHeader is the header row CSV writes.
const CSVHeader = "upn,legal_surname,legal_forename,date_of_birth,school_urn,joined_on,risk_as_at,attendance_percent,fsm_eligible\n"

// CSV writes a pupil CSV of n Year 7 pupils in the school, in year.
func CSV(w io.Writer, n int, schoolURN string, year yeargroup.AcademicYear) error {
	bw := bufio.NewWriter(w)
	_, _ = bw.WriteString(CSVHeader) // bufio errors are sticky: Flush returns them
	joined := year.FirstDay().AddDate(0, 0, 2).Format(time.DateOnly)
	for i := range n {
		fmt.Fprintf(bw, "%s,%s,%s,%s,%s,%s,%s,%d,%t\n", UPN(i), surnames[i%len(surnames)], forenames[i%len(forenames)],
			BornInYear7(year, i).Format(time.DateOnly), schoolURN, joined, joined, 70+i%31, i%4 == 0)
	}
	return bw.Flush()
}
