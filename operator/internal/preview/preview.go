// Package preview shows what a Programme, or a change to one, would do
// before it is applied: for each cohort it would reconcile, how many
// interventions the reconciler would raise, keep and close, computed with
// the reconciler's own rules (package rules) over the records as they are
// now, and writing nothing.
//
// Why a command and not a resource: the effect depends on the records, so a
// server-side dry run of the Programme cannot compute it, and a preview
// resource would have the operator read every cohort's records again for
// each draft a hub lead tries. The command (operator preview) reads them
// once, as the operator would, with the same service account, and prints
// the answer; nothing in the cluster or in tracking changes.
package preview

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/controller"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

// Key is one intervention: a pupil and tracking's reason code. The
// cohort's own intervention for a reason has no pupil ("").
type Key struct{ PupilID, Reason string }

// Change is what a pass would do to one cohort's interventions.
type Change struct {
	Cohort             string
	Raise, Keep, Close int
	// Group counts the pupils' interventions that would close as grouped
	// into their cohort's own (tracking does not count them as closures).
	Group int
	// ByReason breaks the raises and closes down by reason code.
	RaiseByReason, CloseByReason map[string]int
}

// Diff compares the interventions the rules want with those active now.
func Diff(cohort string, desired, active []Key) Change {
	c := Change{Cohort: cohort, RaiseByReason: map[string]int{}, CloseByReason: map[string]int{}}
	want := make(map[Key]bool, len(desired))
	for _, k := range desired {
		want[k] = true
	}
	have := make(map[Key]bool, len(active))
	for _, k := range active {
		have[k] = true
		switch {
		case want[k]:
			c.Keep++
		case k.PupilID != "" && want[Key{"", k.Reason}]:
			c.Group++
		default:
			c.Close++
			c.CloseByReason[k.Reason]++
		}
	}
	for k := range want {
		if !have[k] {
			c.Raise++
			c.RaiseByReason[k.Reason]++
		}
	}
	return c
}

// Report is a Programme's preview.
type Report struct {
	Programme string
	Today     time.Time
	Cohorts   []Change
}

// Totals sums the cohorts.
func (r Report) Totals() Change {
	t := Change{Cohort: "total", RaiseByReason: map[string]int{}, CloseByReason: map[string]int{}}
	for _, c := range r.Cohorts {
		t.Raise, t.Keep, t.Close, t.Group = t.Raise+c.Raise, t.Keep+c.Keep, t.Close+c.Close, t.Group+c.Group
		for k, n := range c.RaiseByReason {
			t.RaiseByReason[k] += n
		}
		for k, n := range c.CloseByReason {
			t.CloseByReason[k] += n
		}
	}
	return t
}

// Run previews p on today: the cohorts it selects from the pupil service's
// schools, each cohort's records read as a reconcile pass reads them, the
// rules applied, and the result compared with tracking's active tasks. It
// only reads.
func Run(ctx context.Context, c *sources.Clients, p *nextstepv1alpha1.Programme, today time.Time) (Report, error) {
	policy, err := rules.FromProgramme(p.Spec)
	if err != nil {
		return Report{}, fmt.Errorf("programme %s: %w", p.Name, err)
	}
	year, err := academicyear.Parse(p.Spec.AcademicYear)
	if err != nil {
		return Report{}, fmt.Errorf("programme %s: academicYear: %w", p.Name, err)
	}
	schools, err := c.Schools(ctx)
	if err != nil {
		return Report{}, err
	}
	today = rules.Day(today)
	r := Report{Programme: p.Namespace + "/" + p.Name, Today: today}
	for _, cohort := range controller.DesiredCohorts(p, controller.Covered(p.Spec.Schools, schools)) {
		members, err := c.Snapshot(ctx, cohort.Spec.SchoolURN, cohort.Spec.YearGroup, policy.EHCPlanToAge, year, today)
		if err != nil {
			return Report{}, fmt.Errorf("cohort %s: %w", cohort.Name, err)
		}
		key := controller.CohortKey(cohort)
		active, err := activeTasks(ctx, c, key)
		if err != nil {
			return Report{}, fmt.Errorf("cohort %s: %w", cohort.Name, err)
		}
		// A reason grouped now has the cohort's own task open, which keeps
		// it grouped down to the release point, as the reconciler's status
		// does.
		grouped := map[nextstepv1alpha1.Reason]bool{}
		for _, k := range active {
			if r, ok := controller.ReasonOf(k.Reason); ok && k.PupilID == "" {
				grouped[r] = true
			}
		}
		ev := rules.Evaluate(policy, rules.Cohort{YearGroup: cohort.Spec.YearGroup, AcademicYear: year, Grouped: grouped}, today, members)
		var desired []Key
		for _, g := range ev.Grouped {
			desired = append(desired, Key{"", controller.ReasonCode(g.Reason)})
		}
		for _, a := range ev.Assessments {
			for _, f := range a.Findings {
				desired = append(desired, Key{a.PupilID, controller.ReasonCode(f.Reason)})
			}
		}
		r.Cohorts = append(r.Cohorts, Diff(key, desired, active))
	}
	return r, nil
}

// activeTasks reads the cohort's open, assigned and in-progress tasks,
// page by page.
func activeTasks(ctx context.Context, c *sources.Clients, cohortKey string) ([]Key, error) {
	var out []Key
	token := ""
	for {
		res, err := c.Tracking.ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: cohortKey, PageSize: 500, PageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		for _, t := range res.GetTasks() {
			out = append(out, Key{t.GetPupilId(), t.GetReasonCode()})
		}
		if token = res.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}

// Write prints the report as a table: one row per cohort that would
// change, then the totals with the reasons behind them.
func (r Report) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "Preview of %s on %s (nothing was written)\n", r.Programme, r.Today.Format(time.DateOnly))
	_, _ = fmt.Fprintln(tw, "cohort\traise\tkeep\tclose\tgrouped\t") // tabwriter reports errors at Flush
	unchanged := 0
	for _, c := range r.Cohorts {
		if c.Raise == 0 && c.Close == 0 && c.Group == 0 {
			unchanged++
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", c.Cohort, c.Raise, c.Keep, c.Close, c.Group)
	}
	t := r.Totals()
	fmt.Fprintf(tw, "total (%d cohorts, %d unchanged)\t%d\t%d\t%d\t%d\t\n", len(r.Cohorts), unchanged, t.Raise, t.Keep, t.Close, t.Group)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, part := range []struct {
		what string
		n    map[string]int
	}{{"raised", t.RaiseByReason}, {"closed", t.CloseByReason}} {
		if len(part.n) == 0 {
			continue
		}
		var reasons []string
		for reason, n := range part.n {
			reasons = append(reasons, fmt.Sprintf("%s %d", reason, n))
		}
		slices.Sort(reasons)
		if _, err := fmt.Fprintf(w, "%s: %s\n", part.what, strings.Join(reasons, ", ")); err != nil {
			return err
		}
	}
	return nil
}
