package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/nextstep-uk/nextstep/services/kit/devidp"
)

func printSummary(root, dbURL, kubeconfig, runDir string, idp *devidp.Provider) {
	u, _ := url.Parse(dbURL)
	rel := func(p string) string {
		if r, err := filepath.Rel(root, p); err == nil {
			return r
		}
		return p
	}
	var people strings.Builder
	for _, p := range devPeople {
		fmt.Fprintf(&people, "  %-15s %s\n", p.id, p.describe)
	}
	fmt.Printf(`
nextstep is running. Ctrl-C stops everything.

  console    %s      hub staff console: sign in as one of the people below
  pupil      http://%s      PupilService
  placement  http://%s      PlacementService
  tracking   http://%s      TrackingService
  operator   http://%s/metrics
  prometheus http://%s      scraping every component, with the chart's alert rules (/alerts, /targets)
  alerts     http://%s      Alertmanager: what fires
  sign-in    %s      development OpenID Connect provider
  database   %s (schemas pupil, placement, tracking, console)
  kubeconfig %s
  auth       %s (who may call; docs/identity.md)
  logs       %s/

People, for the console and tokens (password %s; the rules that give their roles are in %s):
%s
A user's access token, valid for an hour:
  bin/devstack token caseworker
  %s

Try:
  curl -s -H "Authorization: Bearer $(bin/devstack token hub-admin)" -H 'Content-Type: application/json' \
       -d '{"urn":"136001"}' http://%s/nextstep.pupil.v1.PupilService/GetSchool
  grpcurl -plaintext -H "Authorization: Bearer $(bin/devstack token analyst)" %s list
  KUBECONFIG=%s kubectl get programmes,cohorts -n nextstep
`, consoleURL, pupilAddr, placementAddr, trackingAddr, operatorMetrics, prometheusAddr, alertmanagerAddr, idp.Issuer(), u.Redacted(), rel(kubeconfig),
		rel(filepath.Join(runDir, "auth.yaml")), rel(filepath.Join(runDir, "logs")),
		devPassword, rel(filepath.Join(runDir, "auth.yaml")), people.String(), idp.TokenCommand("caseworker"),
		pupilAddr, pupilAddr, rel(kubeconfig))
	_ = os.Stdout.Sync()
}
