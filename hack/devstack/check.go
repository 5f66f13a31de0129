package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// check is make e2e's look at the running stack as its operators would see
// it: every panel of the dashboards the chart ships has data in
// Prometheus, and an outage of the tracking service fires the
// source-unavailable alert, which reaches Alertmanager, and resolves once
// the service is back; a Programme edit that would close most of a
// cohort's interventions is held, and its alert fires until the edit is
// undone.
func check(ctx context.Context, root string, procs *supervisor, kube client.Client, today time.Time) error {
	step := func(format string, args ...any) { fmt.Printf("[check] "+format+"\n", args...) }

	name := client.ObjectKey{Namespace: demoNamespace, Name: fmt.Sprintf("wmca-%d", academicyear.Containing(today).Start)}
	// Canalside's Year 10 is mostly behind, so one task stands for its
	// pupils' (grouping). Ungrouped, it has a task per pupil behind; then
	// switching the rule off would close most of them at once.
	ungrouped := nextstepv1alpha1.InterventionRule{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Grouping: &nextstepv1alpha1.Grouping{Enabled: ptr.To(false)}}
	step("ungrouping BehindTrajectory in %s: Canalside's Year 10 gets a task per pupil behind, its own task closing as nothing to hold", name.Name)
	if err := setRule(ctx, kube, name, &ungrouped); err != nil {
		return err
	}
	mostlyBehind := client.ObjectKey{Namespace: demoNamespace, Name: fmt.Sprintf("%s-%s-y%d", name.Name, allocationSchool, allocationYear)}
	if err := eventually(ctx, 2*time.Minute, func() error { return ungroupedCohort(ctx, kube, mostlyBehind) }); err != nil {
		return err
	}
	step("switching BehindTrajectory off too, as a mistaken edit would: tracking holds the mass closure and NextstepSyncHeldMassClosure fires")
	off := ungrouped
	off.Enabled = ptr.To(false)
	if err := setRule(ctx, kube, name, &off); err != nil {
		return err
	}
	if err := eventually(ctx, 3*time.Minute, func() error { return alertState(ctx, "NextstepSyncHeldMassClosure", nil, true) }); err != nil {
		return err
	}
	step("undoing the edit: nothing is to close, the hold lifts and the alert resolves")
	if err := setRule(ctx, kube, name, nil); err != nil {
		return err
	}
	if err := eventually(ctx, 3*time.Minute, func() error { return alertState(ctx, "NextstepSyncHeldMassClosure", nil, false) }); err != nil {
		return err
	}

	step("stopping the tracking service: the operator's reads fail and NextstepSourceUnavailable fires")
	tracking, err := procs.stop("tracking", 15*time.Second)
	if err != nil {
		return err
	}
	tracked := map[string]string{"source": "tracking"}
	if err := eventually(ctx, 4*time.Minute, func() error { return alertState(ctx, "NextstepSourceUnavailable", tracked, true) }); err != nil {
		return err
	}
	step("the alert has reached Alertmanager; starting the tracking service again")
	if err := procs.start(ctx, tracking); err != nil {
		return err
	}
	// After an outage every panel has something to show, the source
	// errors included.
	step("every dashboard panel's queries return data")
	if err := eventually(ctx, 90*time.Second, func() error { return dashboardsHaveData(ctx, root) }); err != nil {
		return err
	}
	step("waiting for the alert to resolve (its rate looks back five minutes)")
	if err := eventually(ctx, 9*time.Minute, func() error { return alertState(ctx, "NextstepSourceUnavailable", tracked, false) }); err != nil {
		return err
	}
	step("all good")
	return nil
}

// eventually retries f every two seconds until it succeeds or timeout
// passes, and returns its last error then.
func eventually(ctx context.Context, timeout time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s: %w", timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// dashboardVariables are what the dashboards' template variables take here:
// everything.
var dashboardVariables = strings.NewReplacer(`$namespace`, `.*`, `$cohort`, `.*`, `$year_group`, `.*`, `$procedure`, `.*`, `$__rate_interval`, `1m`)

func dashboardsHaveData(ctx context.Context, root string) error {
	paths, err := filepath.Glob(filepath.Join(root, "charts", "nextstep", "dashboards", "*.json"))
	if err != nil {
		return err
	}
	var empty []string
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var d struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, p := range d.Panels {
			for _, t := range p.Targets {
				if t.Expr == "" {
					continue
				}
				var res struct {
					Data struct {
						Result []json.RawMessage `json:"result"`
					} `json:"data"`
				}
				if err := prometheusAPI(ctx, prometheusAddr, "/api/v1/query?query="+url.QueryEscape(dashboardVariables.Replace(t.Expr)), &res); err != nil {
					return fmt.Errorf("%s, %q: %w", filepath.Base(path), p.Title, err)
				}
				if len(res.Data.Result) == 0 {
					empty = append(empty, fmt.Sprintf("%s: %q", filepath.Base(path), p.Title))
				}
			}
		}
	}
	if len(empty) > 0 {
		sort.Strings(empty)
		return fmt.Errorf("panels with no data: %s", strings.Join(empty, "; "))
	}
	return nil
}

// setRule puts rule (nil: none) as the Programme's only rule.
func setRule(ctx context.Context, kube client.Client, name client.ObjectKey, rule *nextstepv1alpha1.InterventionRule) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var p nextstepv1alpha1.Programme
		if err := kube.Get(ctx, name, &p); err != nil {
			return err
		}
		p.Spec.Rules = nil
		if rule != nil {
			p.Spec.Rules = []nextstepv1alpha1.InterventionRule{*rule}
		}
		return kube.Update(ctx, &p)
	})
}

// ungroupedCohort reports whether the cohort's last pass synced its
// interventions with nothing grouped, after its programme changed.
func ungroupedCohort(ctx context.Context, kube client.Client, name client.ObjectKey) error {
	var c nextstepv1alpha1.Cohort
	if err := kube.Get(ctx, name, &c); err != nil {
		return err
	}
	if len(c.Status.GroupedInterventions) > 0 || c.Status.Pupils.Behind < 5 {
		return fmt.Errorf("cohort %s: grouped %v, %d behind", name.Name, c.Status.GroupedInterventions, c.Status.Pupils.Behind)
	}
	return nil
}

// matches reports whether labels has every one of want.
func matches(labels, want map[string]string) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// alertState checks that the alert (with the labels want) is active at
// Alertmanager (firing), or is neither firing in Prometheus nor active
// there.
func alertState(ctx context.Context, alert string, want map[string]string, firing bool) error {
	var am []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := prometheusAPI(ctx, alertmanagerAddr, "/api/v2/alerts", &am); err != nil {
		return err
	}
	active := false
	for _, a := range am {
		active = active || (a.Labels["alertname"] == alert && matches(a.Labels, want) && a.Status.State == "active")
	}
	var prom struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := prometheusAPI(ctx, prometheusAddr, "/api/v1/alerts", &prom); err != nil {
		return err
	}
	inPrometheus := ""
	for _, a := range prom.Data.Alerts {
		if a.Labels["alertname"] == alert && matches(a.Labels, want) {
			inPrometheus = a.State
		}
	}
	switch {
	case firing && !active:
		return fmt.Errorf("%s%v is not active at Alertmanager (in Prometheus: %q)", alert, want, inPrometheus)
	case !firing && (active || inPrometheus != ""):
		return fmt.Errorf("%s%v has not resolved (Alertmanager active: %v, Prometheus: %q)", alert, want, active, inPrometheus)
	}
	return nil
}

func prometheusAPI(ctx context.Context, addr, path string, into any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return errors.New(res.Status)
	}
	return json.NewDecoder(res.Body).Decode(into)
}
