// Package lifecycle is an intervention task's state machine: which moves
// staff and the reconciler may make from each status. It holds no I/O; the
// store applies a move only after Apply allows it.
package lifecycle

import (
	"errors"
	"fmt"
	"time"
)

// Status is a task's status as stored in tracking.tasks.status.
type Status string

// The statuses: open, assigned and in progress are active; the rest final.
const (
	Open       Status = "open"
	Assigned   Status = "assigned"
	InProgress Status = "in_progress"
	Resolved   Status = "resolved"
	Dismissed  Status = "dismissed"
	// Closed means the reconciler found the condition had cleared.
	Closed Status = "closed"
)

// Active are the statuses of a task still in someone's queue. At most one
// task per (cohort, pupil, reason) is active.
var Active = []Status{Open, Assigned, InProgress}

// IsActive reports whether s is one of Active.
func (s Status) IsActive() bool { return s == Open || s == Assigned || s == InProgress }

// State is the part of a task the lifecycle reads and changes.
type State struct {
	Status        Status
	Assignee      string
	Outcome       string
	DismissReason string
	// SnoozeUntil is the date (UTC midnight) before which a dismissed task
	// is not raised again; zero unless dismissed.
	SnoozeUntil time.Time
}

// Move is a change requested by staff or the reconciler.
type Move interface{ name() string }

// Assign gives the task to Assignee, or takes it back when Assignee is
// empty (only before work has started).
type Assign struct{ Assignee string }

// Start marks an assigned task in progress.
type Start struct{}

// Resolve ends the task with an outcome.
type Resolve struct{ Outcome string }

// Dismiss ends the task as needing no action until SnoozeUntil.
type Dismiss struct {
	Reason      string
	SnoozeUntil time.Time
}

// Clear ends the task because its condition no longer holds; only the
// reconciler's sync makes this move.
type Clear struct{}

func (Assign) name() string  { return "assign" }
func (Start) name() string   { return "start" }
func (Resolve) name() string { return "resolve" }
func (Dismiss) name() string { return "dismiss" }
func (Clear) name() string   { return "clear" }

// ErrIllegal wraps every refused move.
var ErrIllegal = errors.New("illegal transition")

// ErrSnoozeNotFuture refuses a dismissal whose snooze date is not after
// today.
var ErrSnoozeNotFuture = errors.New("snooze_until must be after today")

// Apply returns the state after m, or an error wrapping ErrIllegal when the
// lifecycle does not allow m from s. today is the current date, for the
// snooze check.
func Apply(s State, m Move, today time.Time) (State, error) {
	if !s.Status.IsActive() {
		return s, illegal(s.Status, m)
	}
	switch m := m.(type) {
	case Assign:
		if m.Assignee == "" {
			if s.Status != Assigned {
				return s, illegal(s.Status, m)
			}
			s.Status, s.Assignee = Open, ""
			return s, nil
		}
		s.Assignee = m.Assignee
		if s.Status == Open {
			s.Status = Assigned
		}
		return s, nil
	case Start:
		if s.Status != Assigned {
			return s, illegal(s.Status, m)
		}
		s.Status = InProgress
		return s, nil
	case Resolve:
		s.Status, s.Outcome = Resolved, m.Outcome
		return s, nil
	case Dismiss:
		if !m.SnoozeUntil.After(today) {
			return s, ErrSnoozeNotFuture
		}
		s.Status, s.DismissReason, s.SnoozeUntil = Dismissed, m.Reason, m.SnoozeUntil
		return s, nil
	case Clear:
		s.Status = Closed
		return s, nil
	}
	return s, fmt.Errorf("%w: unknown move %T", ErrIllegal, m)
}

func illegal(from Status, m Move) error {
	return fmt.Errorf("%w: cannot %s a task that is %s", ErrIllegal, m.name(), from)
}
