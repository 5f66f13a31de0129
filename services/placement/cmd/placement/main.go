// Command placement serves nextstep.placement.v1.PlacementService:
// employers, work-experience opportunities, bookings, attendance and the
// days each pupil has earned. Configuration is in README.md.
package main

import (
	"os"
	_ "time/tzdata" // the images carry no zone files: the binary does

	_ "golang.org/x/crypto/x509roots/fallback" // nor a CA bundle

	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/placement"
)

func main() {
	os.Exit(server.Main(placement.Spec))
}
