// Command pupil serves nextstep.pupil.v1.PupilService: schools, pupils and
// their risk factors. Configuration is in README.md.
package main

import (
	"os"

	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilapi"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

func main() {
	os.Exit(server.Main(server.Spec{
		Name:          "pupil",
		DefaultListen: "127.0.0.1:8081",
		Migrations:    migrations.FS,
		Services:      pupilapi.Services,
	}))
}
