package ctf

import (
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

// schoolHistory reads the schools the pupil has attended:
//
//	<SchoolHistory>
//	  <School> <LEA/> <Estab/> <SchoolName/> <EntryDate/> <LeavingDate/> <LeavingReason/> <LastSchool/> </School>
//	</SchoolHistory>
//
// Element names as a CTF writer uses them (Follett's Aspen
// DfESchoolHistory: "SchoolHistory", "School", "LEA", "Estab",
// "SchoolName", "EntryDate", "LeavingDate", "LeavingReason", "LastSchool").
//
// Each school the history shows the pupil leaving (a School with a
// LeavingDate) is one school move: a history of three schools left, the
// last the school sending the file, is three moves by the time the pupil
// is on the roll of the school receiving it. A history that is there but
// shows no school left is no moves; no history is not known.
type schoolHistory struct {
	seen       bool
	left       int
	curLeaving string
}

func (h *schoolHistory) start(path string) {
	switch path {
	case "SchoolHistory":
		h.seen = true
	case "SchoolHistory/School":
		h.curLeaving = ""
	}
}

func (h *schoolHistory) set(path, text string) bool {
	switch path {
	case "SchoolHistory/School/LeavingDate":
		h.curLeaving = text
	case "SchoolHistory/School":
		if h.curLeaving != "" {
			h.left++
		}
	default:
		return false
	}
	return true
}

func (h *schoolHistory) build(row *intake.Row, asAt time.Time) {
	if !h.seen {
		return
	}
	row.Record.Risk.SchoolMoves = &risk.Count{Value: h.left, AsAt: asAt}
}
