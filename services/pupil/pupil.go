// Package pupil is the pupil service as one value: its main serves it, and other
// modules' tests (the operator's end-to-end suite) run it in-process.
package pupil

import (
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilapi"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

// Spec describes the service to server.Main.
var Spec = server.Spec{
	Name:          "pupil",
	DefaultListen: "127.0.0.1:8081",
	Migrations:    migrations.FS,
	Services:      pupilapi.Services,
}
