package intake

import "time"

// Gate admits the rows of one import: the school must exist and be one the
// importer may write to, the dates must be plausible today, and a UPN may
// appear once per file. Which of two rows with one UPN is right cannot be
// guessed, so both are refused: the later one at once, the earlier one
// (already on its way into the import) through Recalled.
type Gate struct {
	// schools are the URNs the importer may write pupils into.
	schools  map[string]bool
	today    time.Time
	field    Fields
	seen     map[string]*firstRow // UPN -> its first row
	recalled []Row
}

type firstRow struct {
	location string
	index    int
	admitted bool // the row passed the gate, so it must be recalled
	recalled bool
}

// NewGate returns a gate for the schools in the importer's scope, judging
// dates as on today.
func NewGate(schools map[string]bool, f Fields, today time.Time) *Gate {
	return &Gate{schools: schools, today: today, field: f, seen: map[string]*firstRow{}}
}

// Today is the day the gate judges dates as on: the import's today.
func (g *Gate) Today() time.Time { return g.today }

// Admit adds the row's problems with its school, its dates and duplicates.
// A row still without problems afterwards is admitted.
func (g *Gate) Admit(r *Row) {
	if !g.schools[r.Record.SchoolURN] {
		r.Reject(g.field.SchoolURN, "school.unknown", "is not an open school registered in your scope")
	}
	r.CheckDates(g.field, g.today)
	upn := r.Record.UPN
	if upn == "" {
		return
	}
	first, dup := g.seen[upn]
	if !dup {
		g.seen[upn] = &firstRow{location: r.Location, index: r.Index, admitted: len(r.Problems) == 0}
		return
	}
	r.Reject(g.field.UPN, "upn.duplicate", "repeats the UPN of "+first.location)
	if first.admitted && !first.recalled {
		first.recalled = true
		rec := Row{Location: first.location, Index: first.index}
		rec.Reject(g.field.UPN, "upn.duplicate", "repeats the UPN of "+r.Location)
		g.recalled = append(g.recalled, rec)
	}
}

// Recalled are the rows Admit admitted whose UPN a later row repeated: the
// importer must take them back out and report them rejected. Each carries
// its Index and its problem.
func (g *Gate) Recalled() []Row { return g.recalled }

// Elsewhere is the rejection of the row at location whose UPN belongs to a
// pupil at a school outside the importer's scope. It says no more than
// that: not which school, not whose.
func (g *Gate) Elsewhere(location string, index int) Row {
	r := Row{Location: location, Index: index}
	r.Reject(g.field.UPN, "upn.registered_elsewhere", "belongs to a pupil at another school: ask for a transfer")
	return r
}
