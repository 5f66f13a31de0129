// Package loadgen is the pure part of the queue's load generator
// (cmd/queueload): which call to make next (Mix), when to start it (Pacer,
// Limiter: an open-loop schedule, so a slow answer never delays the next
// call and latency is not hidden by coordinated omission) and what came of
// it (Recorder, Summary). Nothing here makes a call or reads a clock.
package loadgen

import (
	"fmt"
	"strings"
)

// Weighted is one kind of call and its share of the mix.
type Weighted[K comparable] struct {
	Kind   K
	Weight int
}

// Mix chooses a kind of call by weight. The zero Mix is unusable: build it
// with NewMix.
type Mix[K comparable] struct {
	kinds []K
	// upTo[i] is the cumulative weight of kinds[0..i].
	upTo  []int
	total int
}

// NewMix checks the weights (each positive, no kind twice) and returns the
// mix.
func NewMix[K comparable](ws ...Weighted[K]) (Mix[K], error) {
	var m Mix[K]
	seen := map[K]bool{}
	for _, w := range ws {
		if w.Weight <= 0 {
			return Mix[K]{}, fmt.Errorf("mix: %v has weight %d, not positive", w.Kind, w.Weight)
		}
		if seen[w.Kind] {
			return Mix[K]{}, fmt.Errorf("mix: %v is listed twice", w.Kind)
		}
		seen[w.Kind] = true
		m.total += w.Weight
		m.kinds = append(m.kinds, w.Kind)
		m.upTo = append(m.upTo, m.total)
	}
	if m.total == 0 {
		return Mix[K]{}, fmt.Errorf("mix: no kinds")
	}
	return m, nil
}

// Pick returns the kind that the draw n, taken uniformly from [0, Total()),
// falls on: kinds own consecutive ranges as wide as their weights, in the
// order given.
func (m Mix[K]) Pick(n int) K {
	n %= m.total
	if n < 0 {
		n += m.total
	}
	for i, up := range m.upTo {
		if n < up {
			return m.kinds[i]
		}
	}
	return m.kinds[len(m.kinds)-1] // unreachable: n < total
}

// Total is the sum of the weights: draws are taken from [0, Total()).
func (m Mix[K]) Total() int { return m.total }

// String shows the mix as percentages, for the report.
func (m Mix[K]) String() string {
	var b strings.Builder
	prev := 0
	for i, k := range m.kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%v %.0f%%", k, 100*float64(m.upTo[i]-prev)/float64(m.total))
		prev = m.upTo[i]
	}
	return b.String()
}
