// Package pupil is the pupil service as one value: its main serves it, and other
// modules' tests (the operator's end-to-end suite) run it in-process.
package pupil

import (
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilapi"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

// Spec describes the service to server.Main, with the default risk model.
var Spec = server.Spec{
	Name:          "pupil",
	DefaultListen: "127.0.0.1:8081",
	Migrations:    migrations.FS,
	Services:      pupilapi.Services,
}

// RiskModelEnv names the environment variable that holds the path of the
// hub's risk model file (README.md, "Risk of NEET"); unset, the defaults.
const RiskModelEnv = "NEXTSTEP_RISK_MODEL"

// Configured is Spec with the risk model RiskModelEnv names, or an error
// that names what is wrong with the file.
func Configured() (server.Spec, error) {
	m, ok, err := server.ConfigFile(RiskModelEnv, risk.ParseModel)
	if err != nil || !ok {
		return Spec, err
	}
	opts := pupilapi.Options{Weights: &m.Weights, Bands: &m.Bands}
	spec := Spec
	spec.Services = func(d server.Deps) []server.Service {
		// ParseModel has validated the weights and bands, which is all
		// ServicesWith checks.
		services, _ := pupilapi.ServicesWith(d, opts)
		return services
	}
	return spec, nil
}
