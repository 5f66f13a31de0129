package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/preview"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

// runPreview is `operator preview`: what a Programme (as a YAML file, the
// manifest a hub lead would apply) would raise, keep and close in each
// cohort, read from the services as the operator reads them and written to
// stdout. It writes nothing anywhere else.
func runPreview(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("operator preview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("programme", "", "The Programme manifest (YAML or JSON) to preview; - for stdin.")
	pupilURL := fs.String("pupil-url", "http://127.0.0.1:8081", "Base URL of the pupil service.")
	placementURL := fs.String("placement-url", "http://127.0.0.1:8082", "Base URL of the placement service.")
	trackingURL := fs.String("tracking-url", "http://127.0.0.1:8083", "Base URL of the tracking service.")
	tokenFile := fs.String("token-file", "", "File holding the bearer token to call the services with (the operator's service account).")
	today := fs.String("today", "", "Judge as on this day (YYYY-MM-DD); today if empty.")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctrl.SetLogger(zap.New(zap.WriteTo(stderr)))
	p, err := readProgramme(*file)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "operator preview:", err)
		return 2
	}
	day := time.Now()
	if *today != "" {
		if day, err = time.Parse(time.DateOnly, *today); err != nil {
			_, _ = fmt.Fprintln(stderr, "operator preview: -today must be a date like 2026-03-02")
			return 2
		}
	}
	clients := sources.New(sources.Config{PupilURL: *pupilURL, PlacementURL: *placementURL, TrackingURL: *trackingURL, Token: token(*tokenFile)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	report, err := preview.Run(ctx, clients, p, day)
	if err == nil {
		err = report.Write(stdout)
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "operator preview:", err)
		return 1
	}
	return 0
}

// readProgramme reads a Programme manifest. The API server's defaults are
// filled in as it would (resync interval, close percentage, year groups).
func readProgramme(path string) (*nextstepv1alpha1.Programme, error) {
	if path == "" {
		return nil, errors.New("-programme names the manifest to preview")
	}
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	var p nextstepv1alpha1.Programme
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.Kind != "" && p.Kind != "Programme" {
		return nil, fmt.Errorf("%s: kind %q is not Programme", path, p.Kind)
	}
	if p.Namespace == "" {
		p.Namespace = "default"
	}
	defaults(&p.Spec)
	return &p, nil
}

// defaults fills in what the CRD defaults (+kubebuilder:default on
// ProgrammeSpec), for a manifest that has not been through the API server.
func defaults(s *nextstepv1alpha1.ProgrammeSpec) {
	if len(s.YearGroups) == 0 {
		s.YearGroups = []int32{7, 8, 9, 10, 11}
	}
	if s.ResyncIntervalSeconds == 0 {
		s.ResyncIntervalSeconds = 600
	}
	if s.MaxClosePercent == 0 {
		s.MaxClosePercent = 50
	}
}
