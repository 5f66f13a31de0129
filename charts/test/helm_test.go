// Package chartstest tests the Helm chart in charts/nextstep with the real
// tools: helm (lint, template, the values schema), a real kube-apiserver
// (envtest) that must accept every rendered object, promtool for the alert
// rules, and the Prometheus parser for every query the chart ships.
package chartstest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// releaseName and releaseNamespace are what every render uses.
const (
	releaseName      = "nextstep"
	releaseNamespace = "nextstep"
)

// repoRoot is the repository's root directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func chartDir(t testing.TB) string { return filepath.Join(repoRoot(t), "charts", "nextstep") }

// tool finds a binary: the path in env (make test sets HELM and PROMTOOL),
// else fallback, else the PATH.
func tool(t testing.TB, env, fallback, name, hint string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	if fallback != "" {
		if _, err := os.Stat(fallback); err == nil {
			return fallback
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	t.Fatalf("%s not found: set %s (make test does) or %s", name, env, hint)
	return ""
}

func helmBinary(t testing.TB) string {
	return tool(t, "HELM", filepath.Join(repoRoot(t), "bin", "helm"), "helm", "run make test, which builds it into bin/")
}

func promtoolBinary(t testing.TB) string {
	return tool(t, "PROMTOOL", "", "promtool", "run hack/ensure-promtool.sh")
}

// runHelm runs helm with args from the chart directory and returns stdout;
// the error carries stderr.
func runHelm(t testing.TB, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(helmBinary(t), args...)
	cmd.Dir = chartDir(t)
	// A private home: the tests never read or write the user's helm config.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CONFIG_HOME="+home, "HELM_CACHE_HOME="+home, "HELM_DATA_HOME="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, errors.Join(err, errors.New(strings.TrimSpace(stderr.String())))
	}
	return out, nil
}

// template renders the chart with the given values files and --set flags.
func template(t testing.TB, valuesFiles []string, sets ...string) ([]byte, error) {
	t.Helper()
	args := []string{"template", releaseName, ".", "--namespace", releaseNamespace}
	for _, f := range valuesFiles {
		args = append(args, "--values", f)
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return runHelm(t, args...)
}

// mustRender renders the chart and decodes every object.
func mustRender(t testing.TB, valuesFiles []string, sets ...string) []*unstructured.Unstructured {
	t.Helper()
	out, err := template(t, valuesFiles, sets...)
	if err != nil {
		t.Fatalf("helm template %v %v: %v", valuesFiles, sets, err)
	}
	objs, err := decode(out)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// decode splits a multi-document YAML stream into objects, skipping empty
// documents. Unstructured's own JSON decoding keeps integers int64.
func decode(manifests []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(manifests)))
	var objs []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if string(js) == "null" {
			continue
		}
		o := &unstructured.Unstructured{}
		if err := o.UnmarshalJSON(js); err != nil {
			return nil, err
		}
		objs = append(objs, o)
	}
}

// scenarios are the values files helm lint and template run with: the
// defaults (no file) and every ci/*-values.yaml.
func scenarios(t testing.TB) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir(t), "ci", "*-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no ci/*-values.yaml scenarios")
	}
	s := map[string][]string{"defaults": nil}
	for _, f := range files {
		s[strings.TrimSuffix(filepath.Base(f), "-values.yaml")] = []string{f}
	}
	return s
}

func ciValues(t testing.TB, name string) []string {
	t.Helper()
	return []string{filepath.Join(chartDir(t), "ci", name+"-values.yaml")}
}

// byKind returns the objects of a kind.
func byKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}
