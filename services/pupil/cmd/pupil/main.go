// Command pupil serves nextstep.pupil.v1.PupilService: schools, pupils and
// their risk factors. Configuration is in README.md.
package main

import (
	"fmt"
	"os"
	_ "time/tzdata" // the images carry no zone files: the binary does

	_ "golang.org/x/crypto/x509roots/fallback" // nor a CA bundle

	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/pupil"
)

func main() {
	spec, err := pupil.Configured()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pupil:", err)
		os.Exit(2)
	}
	os.Exit(server.Main(spec))
}
