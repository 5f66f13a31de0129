// Package syncplan decides what a reconciler's sync does to a cohort's
// intervention tasks: given the active tasks, the keys dismissed within
// their snooze and the desired set, which tasks to create, update in place,
// close as "condition cleared" or leave alone, and whether the closures are
// so many that the sync must be held. It is pure; the store applies the
// plan in one transaction.
package syncplan

import (
	"cmp"
	"maps"
	"slices"
)

// Key identifies an intervention within a cohort: at most one active task
// per key. A key with no pupil (CohortLevel) is the cohort's own task for
// the reason: most of its pupils have it, and one piece of work for the
// school and the hub stands for theirs.
type Key struct {
	PupilID string
	Reason  string
}

// CohortLevel is the PupilID of a cohort-level intervention.
const CohortLevel = ""

// Intervention is what the reconciler asks for, and what an active task
// currently says.
type Intervention struct {
	Key
	Priority int
	// DueDate is YYYY-MM-DD.
	DueDate  string
	Summary  string
	Evidence map[string]string
	// LACode is the local authority whose queue the task is in: where the
	// young person lives, so a task follows a mover to the new LA.
	LACode string
}

// Task is an active task of the cohort.
type Task struct {
	ID string
	Intervention
}

// Update is an active task whose priority, due date, summary or evidence
// the desired set changes.
type Update struct {
	TaskID string
	To     Intervention
}

// Plan is what a sync does.
type Plan struct {
	Create []Intervention
	Update []Update
	// Close are the tasks whose condition cleared; Grouped the pupils'
	// tasks closed because the cohort's own task for their reason is
	// wanted now, which stands for them (task ids both).
	Close     []string
	Grouped   []string
	Unchanged int
	// Suppressed counts desired interventions not raised because a
	// caseworker dismissed them and the snooze has not ended.
	Suppressed int
}

// Make plans a sync. active are the cohort's active tasks, snoozed the keys
// dismissed with a snooze still running, desired the reconciler's complete
// set (keys unique: see Duplicate). The plan's slices are in key order.
func Make(active []Task, snoozed []Key, desired []Intervention) Plan {
	byKey := make(map[Key]Task, len(active))
	for _, t := range active {
		byKey[t.Key] = t
	}
	isSnoozed := make(map[Key]bool, len(snoozed))
	for _, k := range snoozed {
		isSnoozed[k] = true
	}
	var p Plan
	wanted := make(map[Key]bool, len(desired))
	for _, d := range desired {
		wanted[d.Key] = true
		t, ok := byKey[d.Key]
		if ok {
			d.DueDate = keptDueDate(t.DueDate, d.DueDate)
		}
		switch {
		case ok && same(t.Intervention, d):
			p.Unchanged++
		case ok:
			p.Update = append(p.Update, Update{TaskID: t.ID, To: d})
		case isSnoozed[d.Key]:
			// A task still open is kept even if a snooze exists for an older
			// one; only a raise is suppressed.
			p.Suppressed++
		default:
			p.Create = append(p.Create, d)
		}
	}
	var closing []Task
	for _, t := range active {
		if !wanted[t.Key] {
			closing = append(closing, t)
		}
	}
	slices.SortFunc(closing, func(a, b Task) int { return compareKeys(a.Key, b.Key) })
	for _, t := range closing {
		if t.PupilID != CohortLevel && wanted[Key{CohortLevel, t.Reason}] {
			p.Grouped = append(p.Grouped, t.ID)
		} else {
			p.Close = append(p.Close, t.ID)
		}
	}
	slices.SortFunc(p.Create, func(a, b Intervention) int { return compareKeys(a.Key, b.Key) })
	slices.SortFunc(p.Update, func(a, b Update) int { return compareKeys(a.To.Key, b.To.Key) })
	return p
}

// keptDueDate is an open task's due date after a sync: the reconciler
// recomputes due dates from today on every pass, so a condition that
// persists must not push its task's deadline back day by day. A task's due
// date only ever moves earlier (a nearer deadline), never later.
func keptDueDate(current, desired string) string {
	if current != "" && current < desired {
		return current
	}
	return desired
}

// Changes reports whether the plan writes anything.
func (p Plan) Changes() bool { return len(p.Create)+len(p.Update)+len(p.Close)+len(p.Grouped) > 0 }

// DefaultMaxCloseFraction is used when a sync names no fraction.
const DefaultMaxCloseFraction = 0.5

// Held reports whether the plan closes so large a share of the cohort's
// active tasks that it must not be applied without force: more than
// maxFraction of them (DefaultMaxCloseFraction when 0), once at least
// minCloses would close. It guards a caseworker's queue against a bad
// upstream import that makes every condition look cleared. Pupils' tasks
// grouped into their cohort's task are not closures of that kind: the work
// goes on, at the cohort's level.
func (p Plan) Held(active int, maxFraction float64, minCloses int) bool {
	if maxFraction <= 0 {
		maxFraction = DefaultMaxCloseFraction
	}
	n := len(p.Close)
	if n == 0 || n < minCloses {
		return false
	}
	return float64(n) > maxFraction*float64(active)
}

// Duplicate returns the index of the first desired intervention whose key
// repeats an earlier one, or -1.
func Duplicate(desired []Intervention) int {
	seen := make(map[Key]bool, len(desired))
	for i, d := range desired {
		if seen[d.Key] {
			return i
		}
		seen[d.Key] = true
	}
	return -1
}

func same(a, b Intervention) bool {
	return a.Priority == b.Priority && a.DueDate == b.DueDate && a.Summary == b.Summary && a.LACode == b.LACode &&
		maps.Equal(orEmpty(a.Evidence), orEmpty(b.Evidence))
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func compareKeys(a, b Key) int {
	return cmp.Or(cmp.Compare(a.PupilID, b.PupilID), cmp.Compare(a.Reason, b.Reason))
}
