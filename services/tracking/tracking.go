// Package tracking is the tracking service as one value: its main serves it, and other
// modules' tests (the operator's end-to-end suite) run it in-process.
package tracking

import (
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/currency"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/trackingapi"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// Spec describes the service to server.Main, with the default currency
// periods.
var Spec = server.Spec{
	Name:          "tracking",
	DefaultListen: "127.0.0.1:8083",
	Migrations:    migrations.FS,
	Services:      trackingapi.Services,
	LocatesPupils: true,
}

// CurrencyEnv names the environment variable that holds the path of the
// currency periods file (README.md, "Currency"); unset, the defaults.
const CurrencyEnv = "NEXTSTEP_CURRENCY"

// Configured is Spec with the currency periods CurrencyEnv names, or an
// error that names what is wrong with the file.
func Configured() (server.Spec, error) {
	c, ok, err := server.ConfigFile(CurrencyEnv, currency.Parse)
	if err != nil || !ok {
		return Spec, err
	}
	spec := Spec
	spec.Services = func(d server.Deps) []server.Service {
		return trackingapi.ServicesWith(d, trackingapi.Options{Currency: &c})
	}
	return spec, nil
}
