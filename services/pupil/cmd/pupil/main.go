// Command pupil serves nextstep.pupil.v1.PupilService: schools, pupils and
// their risk factors. Configuration is in README.md.
package main

import (
	"os"

	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/pupil"
)

func main() {
	os.Exit(server.Main(pupil.Spec))
}
