package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

func printSummary(root, dbURL, kubeconfig, runDir string) {
	u, _ := url.Parse(dbURL)
	rel := func(p string) string {
		if r, err := filepath.Rel(root, p); err == nil {
			return r
		}
		return p
	}
	fmt.Printf(`
nextstep is running. Ctrl-C stops everything.

  pupil      http://%s      PupilService
  placement  http://%s      PlacementService
  tracking   http://%s      TrackingService
  operator   http://%s/metrics
  database   %s (schemas pupil, placement, tracking)
  kubeconfig %s
  logs       %s/

Try:
  grpcurl -plaintext %s list
  curl -s -H 'Authorization: Bearer dev-hub-admin' -H 'Content-Type: application/json' \
       -d '{"urn":"136001"}' http://%s/nextstep.pupil.v1.PupilService/GetSchool
  KUBECONFIG=%s kubectl get programmes,cohorts -n nextstep

Development tokens (roles and scopes in hack/dev-tokens.json): dev-hub-admin,
dev-caseworker, dev-careers-leader, dev-analyst, dev-operator.
`, pupilAddr, placementAddr, trackingAddr, operatorMetrics, u.Redacted(), rel(kubeconfig), rel(filepath.Join(runDir, "logs")),
		pupilAddr, pupilAddr, rel(kubeconfig))
	_ = os.Stdout.Sync()
}
