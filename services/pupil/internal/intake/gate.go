package intake

// Gate admits the rows of one import: the school must exist and be one the
// importer may write to, and a UPN may appear once per file (which of two
// rows is right cannot be guessed).
type Gate struct {
	// Schools are the URNs the importer may write pupils into.
	schools map[string]bool
	seen    map[string]string // UPN -> location of its first row
	field   Fields
}

// NewGate returns a gate for the schools in the importer's scope.
func NewGate(schools map[string]bool, f Fields) *Gate {
	return &Gate{schools: schools, seen: map[string]string{}, field: f}
}

// Admit adds the row's problems with school and duplicates.
func (g *Gate) Admit(r *Row) {
	if !g.schools[r.Record.SchoolURN] {
		r.Reject(g.field.SchoolURN, "school.unknown", "is not an open school registered in your scope")
	}
	if first, dup := g.seen[r.Record.UPN]; dup {
		r.Reject(g.field.UPN, "upn.duplicate", "repeats the UPN of "+first)
	} else if r.Record.UPN != "" {
		g.seen[r.Record.UPN] = r.Location
	}
}
