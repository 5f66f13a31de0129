package intake

import (
	"strconv"
	"strings"
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

// LeavingReason is why a pupil left a school.
type LeavingReason string

// The leaving reasons; the CSV and the contract use these names.
const (
	LeftTransferred      LeavingReason = "transferred"
	LeftHomeEducation    LeavingReason = "elective_home_education"
	LeftMovedAbroad      LeavingReason = "moved_abroad"
	LeftExcluded         LeavingReason = "permanently_excluded"
	LeftEndOfSchooling   LeavingReason = "end_of_compulsory_schooling"
	LeftMissingEducation LeavingReason = "child_missing_education"
	LeftOther            LeavingReason = "other"
)

// LeavingReasons are the valid leaving reasons.
var LeavingReasons = []LeavingReason{LeftTransferred, LeftHomeEducation, LeftMovedAbroad, LeftExcluded,
	LeftEndOfSchooling, LeftMissingEducation, LeftOther}

// ParseLeavingReason reads a leaving reason; ok is false for anything else.
func ParseLeavingReason(s string) (LeavingReason, bool) {
	for _, r := range LeavingReasons {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// ParseDate reads an ISO 8601 date, 2025-09-01.
func ParseDate(s string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, s)
	return d, err == nil
}

// ParseBool reads true/false, Y/N or 1/0, as school systems export them
// (a CTF's booleans may be true/false or 1/0, as XML Schema's boolean is).
func ParseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "y", "yes", "1":
		return true, true
	case "false", "n", "no", "0":
		return false, true
	}
	return false, false
}

// ParseCount reads a whole number of events.
func ParseCount(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// ParsePercent reads a percentage such as 84.5.
func ParsePercent(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && v == v // NaN is not a percentage
}

// ParseSEN reads an SEN status by its name (none, sen_support, ehc_plan) or
// its school census code (N, K, E).
func ParseSEN(s string) (risk.SEN, bool) {
	switch s {
	case "none", "N":
		return risk.SENNone, true
	case "sen_support", "K":
		return risk.SENSupport, true
	case "ehc_plan", "E":
		return risk.SENEHCPlan, true
	}
	return "", false
}

// ParseCare reads a looked-after status. "previously_looked_after", the
// status this service took before "ever_looked_after" replaced it, is read
// as ever looked after: a child who left care was looked after.
func ParseCare(s string) (risk.Care, bool) {
	switch c := risk.Care(s); c {
	case risk.CareNone, risk.CareLookedAfter, risk.CareEverLookedAfter:
		return c, true
	case "previously_looked_after":
		return risk.CareEverLookedAfter, true
	}
	return "", false
}
