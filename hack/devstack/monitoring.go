package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// The monitoring stack's local ports.
const (
	prometheusAddr   = "127.0.0.1:9090"
	alertmanagerAddr = "127.0.0.1:9093"
)

// scraped are the components Prometheus scrapes, by job, as the chart's
// ServiceMonitors do in a cluster.
var scraped = map[string]string{
	"pupil": pupilAddr, "placement": placementAddr, "tracking": trackingAddr, "operator": operatorMetrics,
}

// monitoring returns Prometheus and Alertmanager from Debian's packages
// (hack/ensure-command.sh installs them when missing), Prometheus scraping
// every component and evaluating the chart's alert rules, from the same
// files the chart's PrometheusRule renders (charts/nextstep/rules), and
// sending what fires to Alertmanager. With quick, every alert's "for" is
// ten seconds, so make e2e sees an alert fire in minutes; the durations
// themselves are promtool's to test (charts/test).
func monitoring(root, runDir string, quick bool) ([]component, error) {
	ensure := func(command, pkg string) (string, error) {
		out, err := exec.Command(filepath.Join(root, "hack", "ensure-command.sh"), command, pkg).Output()
		if err != nil {
			return "", fmt.Errorf("%s: %w (hack/ensure-command.sh installs Debian's %s package as root)", command, err, pkg)
		}
		return strings.TrimSpace(string(out)), nil
	}
	prometheus, err := ensure("prometheus", "prometheus")
	if err != nil {
		return nil, err
	}
	alertmanager, err := ensure("prometheus-alertmanager", "prometheus-alertmanager")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(runDir, "monitoring")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rules, err := alertRules(filepath.Join(root, "charts", "nextstep", "rules"), quick)
	if err != nil {
		return nil, err
	}
	files := map[string]any{
		"rules.yml": rules,
		"prometheus.yml": map[string]any{
			"global":         map[string]any{"scrape_interval": "5s", "evaluation_interval": "5s"},
			"rule_files":     []string{filepath.Join(dir, "rules.yml")},
			"alerting":       map[string]any{"alertmanagers": []any{map[string]any{"static_configs": []any{map[string]any{"targets": []string{alertmanagerAddr}}}}}},
			"scrape_configs": scrapeConfigs(),
		},
		// Alerts are kept and shown by Alertmanager; nothing is sent on.
		"alertmanager.yml": map[string]any{
			"route":     map[string]any{"receiver": "shown-only", "group_wait": "5s", "group_interval": "30s"},
			"receivers": []any{map[string]any{"name": "shown-only"}},
		},
	}
	for name, v := range files {
		data, err := yaml.Marshal(v)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, err
		}
	}
	return []component{
		{
			name: "prometheus", bin: prometheus,
			args: []string{"--config.file=" + filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path=" + filepath.Join(dir, "prometheus-data"),
				"--web.listen-address=" + prometheusAddr, "--storage.tsdb.retention.time=1d"},
			ready: "http://" + prometheusAddr + "/-/ready",
		},
		{
			name: "alertmanager", bin: alertmanager,
			args: []string{"--config.file=" + filepath.Join(dir, "alertmanager.yml"), "--storage.path=" + filepath.Join(dir, "alertmanager-data"),
				"--web.listen-address=" + alertmanagerAddr, "--cluster.listen-address="},
			ready: "http://" + alertmanagerAddr + "/-/ready",
		},
	}, nil
}

func scrapeConfigs() []any {
	jobs := make([]string, 0, len(scraped))
	for job := range scraped {
		jobs = append(jobs, job)
	}
	sort.Strings(jobs)
	out := make([]any, len(jobs))
	for i, job := range jobs {
		// The labels a cluster's service discovery adds, which the
		// dashboards group by.
		labels := map[string]string{"namespace": "nextstep", "pod": job + "-local"}
		out[i] = map[string]any{"job_name": job, "static_configs": []any{map[string]any{"targets": []string{scraped[job]}, "labels": labels}}}
	}
	return out
}

// alertRules is a Prometheus rule file of one group holding every alert in
// dir, one rule per file as the chart keeps them.
func alertRules(dir string, quick bool) (map[string]any, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var rules []any
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var rule map[string]any
		if err := yaml.Unmarshal(data, &rule); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if quick && rule["for"] != nil {
			rule["for"] = "10s"
		}
		rules = append(rules, rule)
	}
	return map[string]any{"groups": []any{map[string]any{"name": "nextstep", "rules": rules}}}, nil
}
