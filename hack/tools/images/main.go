// Command images builds an OCI image of every nextstep component without a
// Docker engine: a static Go binary (CGO off, no build id, paths trimmed)
// on an empty base that carries only what it needs, an /etc/passwd with an
// unprivileged user (65532, as distroless's nonroot) and the directories
// the chart mounts over. CA certificates and time zones are in the binaries
// (golang.org/x/crypto/x509roots/fallback and time/tzdata), so no base
// image is pulled. Every timestamp is SOURCE_DATE_EPOCH (0 when unset), so
// the same source gives the same digest. Each image is written as an OCI
// layout under -out/<component>, named as the chart's default references
// name it (<registry>/<prefix>/<component>:<chart appVersion>); its digest
// is printed.
//
//	go run ./hack/tools/images -root . -out bin/images [component...]
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

func main() {
	root := flag.String("root", ".", "The repository's root directory.")
	out := flag.String("out", "bin/images", "Where the OCI layouts are written, one directory per component.")
	flag.Parse()
	if err := run(*root, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

func run(root, out string, only []string) error {
	epoch, err := sourceDateEpoch(os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}
	tag, err := chartAppVersion(filepath.Join(root, "charts", "nextstep", "Chart.yaml"))
	if err != nil {
		return err
	}
	components := Components
	if len(only) > 0 {
		components = nil
		for _, name := range only {
			c, ok := componentNamed(name)
			if !ok {
				return fmt.Errorf("no component %q", name)
			}
			components = append(components, c)
		}
	}
	for _, c := range components {
		started := time.Now()
		fmt.Fprintf(os.Stderr, "building %s...\n", c.Name)
		ref := Reference(c, tag)
		digest, err := Build(root, c, ref, filepath.Join(out, c.Name), epoch)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		fmt.Printf("%s@%s\t%s\t(%s)\n", ref, digest, filepath.Join(out, c.Name), time.Since(started).Round(time.Second))
	}
	return nil
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH (reproducible-builds.org): the
// time every file and the image config are dated, 0 when unset.
func sourceDateEpoch(v string) (time.Time, error) {
	if v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	s, err := strconv.ParseInt(v, 10, 64)
	if err != nil || s < 0 {
		return time.Time{}, errors.New("SOURCE_DATE_EPOCH must be whole seconds since 1970")
	}
	return time.Unix(s, 0).UTC(), nil
}

var appVersion = regexp.MustCompile(`(?m)^appVersion:\s*"?([^"\s]+)"?\s*$`)

// chartAppVersion is the chart's appVersion, the tag its default image
// references use.
func chartAppVersion(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	m := appVersion.FindSubmatch(data)
	if m == nil {
		return "", fmt.Errorf("%s has no appVersion", path)
	}
	return string(m[1]), nil
}
