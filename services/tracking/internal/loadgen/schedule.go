package loadgen

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Pacer is an open-loop schedule: Total calls, the i-th due at
// Start + i/Rate, whatever became of the earlier ones. A generator that
// waited for each answer before the next call (a closed loop) would send
// fewer calls exactly when the service is slow, and its percentiles would
// leave out the wait: coordinated omission. Latency is measured from
// Due(i), not from when the call actually left.
type Pacer struct {
	Start    time.Time
	Rate     float64 // calls a second
	Duration time.Duration
}

// NewPacer checks the rate and duration (at most maxDuration, so a load
// always stops on its own).
func NewPacer(start time.Time, rate float64, d, maxDuration time.Duration) (Pacer, error) {
	switch {
	case rate <= 0:
		return Pacer{}, fmt.Errorf("rate %v is not positive", rate)
	case d <= 0:
		return Pacer{}, fmt.Errorf("duration %v is not positive", d)
	case d > maxDuration:
		return Pacer{}, fmt.Errorf("duration %v is over the limit of %v", d, maxDuration)
	}
	return Pacer{Start: start, Rate: rate, Duration: d}, nil
}

// Total is how many calls the schedule holds: Rate x Duration, rounded
// down, at least one.
func (p Pacer) Total() int {
	n := int(p.Rate * p.Duration.Seconds())
	return max(n, 1)
}

// Due is when the i-th call (from 0) is to start.
func (p Pacer) Due(i int) time.Time {
	return p.Start.Add(time.Duration(float64(i) * float64(time.Second) / p.Rate))
}

// Limiter caps the calls in flight. A call due when the cap is reached is
// not sent and is counted as dropped: the schedule never queues work up
// behind a stalled service (which would only move the wait out of the
// measurement), and the report says how much was shed.
type Limiter struct {
	slots   chan struct{}
	dropped atomic.Int64
	started atomic.Int64
}

// NewLimiter allows up to n calls in flight.
func NewLimiter(n int) (*Limiter, error) {
	if n <= 0 {
		return nil, fmt.Errorf("concurrency %d is not positive", n)
	}
	return &Limiter{slots: make(chan struct{}, n)}, nil
}

// TryStart takes a slot if one is free, or counts the call as dropped.
// Every true must be followed by one Done.
func (l *Limiter) TryStart() bool {
	select {
	case l.slots <- struct{}{}:
		l.started.Add(1)
		return true
	default:
		l.dropped.Add(1)
		return false
	}
}

// Done frees the slot of a call that has ended.
func (l *Limiter) Done() { <-l.slots }

// InFlight is how many calls hold a slot now.
func (l *Limiter) InFlight() int { return len(l.slots) }

// Started and Dropped count the calls sent and shed so far.
func (l *Limiter) Started() int64 { return l.started.Load() }

// Dropped counts the calls that were due while every slot was taken.
func (l *Limiter) Dropped() int64 { return l.dropped.Load() }
