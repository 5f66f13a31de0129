// Package tracking is the tracking service as one value: its main serves it, and other
// modules' tests (the operator's end-to-end suite) run it in-process.
package tracking

import (
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/trackingapi"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// Spec describes the service to server.Main.
var Spec = server.Spec{
	Name:          "tracking",
	DefaultListen: "127.0.0.1:8083",
	Migrations:    migrations.FS,
	Services:      trackingapi.Services,
	LocatesPupils: true,
}
