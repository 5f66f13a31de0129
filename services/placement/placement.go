// Package placement is the placement service as one value: its main serves it, and other
// modules' tests (the operator's end-to-end suite) run it in-process.
package placement

import (
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/placement/internal/placementapi"
	"github.com/nextstep-uk/nextstep/services/placement/migrations"
)

// Spec describes the service to server.Main.
var Spec = server.Spec{
	Name:          "placement",
	DefaultListen: "127.0.0.1:8082",
	Migrations:    migrations.FS,
	Services:      placementapi.Services,
	LocatesPupils: true,
}
