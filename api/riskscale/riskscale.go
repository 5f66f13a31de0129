// Package riskscale is the one scale the risk-of-NEET score is measured on:
// the points a factor may weigh, the bands a score falls in, and the score
// at which an AtRiskOfNEET intervention is raised by default. The pupil
// service scores on it (its weights) and the operator reads scores against
// it (a Programme's bands), so both take their defaults from here and the
// defaults cannot contradict each other again.
//
// The scale follows the local-authority risk-of-NEET (RONI) tools DfE's
// January 2025 guidance "Identifying and supporting young people at risk of
// NEET" draws on: Oxfordshire's scores each factor 1 point when it makes
// NEET likely and 2 when very likely, and rates the total red, amber or
// green (see ../shared/DOMAIN.md, "Risk of NEET"). Where on that scale the
// bands start is nextstep's choice, set out beside DefaultBands, and each
// Programme may set its own.
package riskscale

import (
	"errors"
	"fmt"
)

// The points a factor weighs.
const (
	// Likely is the weight of a factor that makes NEET likely.
	Likely = 1
	// VeryLikely is the weight of a factor that makes NEET very likely.
	VeryLikely = 2
	// MaxWeight bounds a configured weight: a hub may count a factor for
	// more than VeryLikely, but not so much that one factor alone is the
	// whole score.
	MaxWeight = 4
)

// Band is where a score falls: low (green), medium (amber), high (red).
type Band string

// The bands, lowest first.
const (
	Low    Band = "low"
	Medium Band = "medium"
	High   Band = "high"
)

// Bands are the scores at which medium and high begin.
type Bands struct {
	Medium int32 `json:"medium"`
	High   int32 `json:"high"`
}

// DefaultBands put a pupil with two "very likely" factors and one
// "likely" (for example persistent absence, a permanent exclusion and free
// school meals) in the high band, as they are for three "very likely"
// factors (persistent absence, a permanent exclusion and being looked
// after); one "very likely" factor and one "likely" make medium; one factor
// alone stays low. AtRiskOfNEET is raised from the high band by default.
var DefaultBands = Bands{Medium: 3, High: 5}

// Of is the band of score.
func (b Bands) Of(score int32) Band {
	switch {
	case score >= b.High:
		return High
	case score >= b.Medium:
		return Medium
	}
	return Low
}

// Validate refuses bands that are out of order or not positive; the error
// names the field.
func (b Bands) Validate() error {
	switch {
	case b.Medium < 1:
		return errors.New("medium: must be at least 1")
	case b.High <= b.Medium:
		return fmt.Errorf("high: must be above medium (%d)", b.Medium)
	}
	return nil
}

// ValidWeight reports whether w is a weight on the scale: 0 (the factor is
// off) to MaxWeight.
func ValidWeight(w int) bool { return w >= 0 && w <= MaxWeight }
