// Command tracking serves nextstep.tracking.v1.TrackingService: post-16
// destinations, the intervention queue and its audit log. Configuration is
// in README.md.
package main

import (
	"fmt"
	"os"
	_ "time/tzdata" // the images carry no zone files: the binary does

	_ "golang.org/x/crypto/x509roots/fallback" // nor a CA bundle

	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/tracking"
)

func main() {
	spec, err := tracking.Configured()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracking:", err)
		os.Exit(2)
	}
	os.Exit(server.Main(spec))
}
