// Command tracking serves nextstep.tracking.v1.TrackingService: post-16
// destinations, the intervention queue and its audit log. Configuration is
// in README.md.
package main

import (
	"os"

	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/tracking"
)

func main() { os.Exit(server.Main(tracking.Spec)) }
