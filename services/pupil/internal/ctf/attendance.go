package ctf

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

// attendance reads Attendance/YearData. The rows are per school (each
// carries its LEA and Estab), so a pupil who moved during a year has a row
// from each school for that Year: the sessions of every row of a Year are
// added up, and attendance is that of the latest Year, whatever order the
// rows come in.
//
//	<Attendance>
//	  <YearData> <Year/> <LEA/> <Estab/> <SessionsPossible/> <SessionsAuthorised/> <SessionsUnauthorised/> </YearData>
//	</Attendance>
type attendance struct {
	// The row being read.
	year, possible, authorised, unauth string
	// Sessions per Year, summed over the rows.
	years map[int]*sessions
	// problem is the rule and reason of the first bad row, if any.
	problem, reason string
}

type sessions struct{ possible, authorised, unauth int }

func (a *attendance) start(path string) {
	if path == "Attendance/YearData" {
		a.year, a.possible, a.authorised, a.unauth = "", "", "", ""
	}
}

func (a *attendance) set(path, text string) bool {
	switch path {
	case "Attendance/YearData/Year":
		a.year = text
	case "Attendance/YearData/SessionsPossible":
		a.possible = text
	case "Attendance/YearData/SessionsAuthorised":
		a.authorised = text
	case "Attendance/YearData/SessionsUnauthorised":
		a.unauth = text
	case "Attendance/YearData":
		a.endRow()
	default:
		return false
	}
	return true
}

// endRow adds the row just read to its Year. A row without sessions
// possible says nothing of attendance, and is left out.
func (a *attendance) endRow() {
	if a.possible == "" || a.problem != "" {
		return
	}
	year, err := strconv.Atoi(a.year)
	if err != nil || year < 1990 || year > 9999 || len(a.year) != 4 {
		a.problem, a.reason = "attendance.year", "each row must give its Year, like 2024"
		return
	}
	possible, ok1 := intake.ParseCount(a.possible)
	authorised, ok2 := intake.ParseCount(or0(a.authorised))
	unauth, ok3 := intake.ParseCount(or0(a.unauth))
	// unauth > possible-authorised is authorised+unauth > possible without
	// the sum, which can overflow.
	if !ok1 || !ok2 || !ok3 || possible < 0 || authorised < 0 || unauth < 0 || authorised > possible || unauth > possible-authorised {
		a.problem, a.reason = "attendance.sessions", "sessions must be whole numbers, absences no more than sessions possible"
		return
	}
	if a.years == nil {
		a.years = map[int]*sessions{}
	}
	s := a.years[year]
	if s == nil {
		s = &sessions{}
		a.years[year] = s
	}
	// Absences never exceed possible sessions in a row, so if the sums of
	// possible sessions do not overflow, neither do those of absences.
	if s.possible > math.MaxInt-possible {
		a.problem, a.reason = "attendance.sessions", "sessions must be whole numbers, absences no more than sessions possible"
		return
	}
	s.possible += possible
	s.authorised += authorised
	s.unauth += unauth
}

func (a *attendance) build(row *intake.Row, asAt time.Time) {
	if a.problem != "" {
		row.Reject(Fields.Attendance, a.problem, a.reason)
		return
	}
	latest := -1
	for year := range a.years {
		latest = max(latest, year)
	}
	if latest < 0 {
		return
	}
	s := a.years[latest]
	if s.possible <= 0 {
		row.Reject(Fields.Attendance, "attendance.sessions", "sessions must be whole numbers, absences no more than sessions possible")
		return
	}
	pct := 100 * float64(s.possible-s.authorised-s.unauth) / float64(s.possible)
	row.Record.Risk.Attendance = &risk.Percent{Value: math.Round(pct*10) / 10, AsAt: asAt}
}

func or0(s string) string {
	if strings.TrimSpace(s) == "" {
		return "0"
	}
	return s
}
