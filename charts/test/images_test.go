package chartstest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// images are the Dockerfiles of the binaries the chart deploys, with the
// build argument SERVICE where the Dockerfile takes one, and the module
// directory and package each builds.
var images = map[string]struct{ dockerfile, service, module, pkg string }{
	"pupil":     {"services/Dockerfile", "pupil", "services/pupil", "./cmd/pupil"},
	"placement": {"services/Dockerfile", "placement", "services/placement", "./cmd/placement"},
	"tracking":  {"services/Dockerfile", "tracking", "services/tracking", "./cmd/tracking"},
	"console":   {"services/Dockerfile", "console", "services/console", "./cmd/console"},
	"operator":  {"operator/Dockerfile", "", "operator", "./cmd/operator"},
}

var copyLine = regexp.MustCompile(`^COPY\s+(.+)$`)

// TestImagesBuildFromWhatTheyCopy runs each Dockerfile's Go build on a
// directory holding only the files the Dockerfile copies, as docker build
// would (no Docker engine runs here). A module that starts to depend on a
// directory the Dockerfile does not copy fails here, not at release.
func TestImagesBuildFromWhatTheyCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every binary")
	}
	root := repoRoot(t)
	for name, img := range images {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.TempDir()
			for _, src := range copiedPaths(t, filepath.Join(root, img.dockerfile), img.service) {
				copyPath(t, filepath.Join(root, src), filepath.Join(ctx, src))
			}
			cmd := exec.Command("go", "build", "-o", filepath.Join(t.TempDir(), name), img.pkg)
			cmd.Dir = filepath.Join(ctx, img.module)
			cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOFLAGS=-trimpath -mod=readonly")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the build in %s fails on what it copies: %v\n%s", img.dockerfile, err, out)
			}
		})
	}
}

// copiedPaths are the sources of the Dockerfile's COPY lines from the build
// context (not from another stage), with ${SERVICE} replaced by service.
func copiedPaths(t *testing.T, dockerfile, service string) []string {
	f, err := os.Open(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var paths []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := copyLine.FindStringSubmatch(strings.ReplaceAll(strings.TrimSpace(sc.Text()), "${SERVICE}", service))
		if len(m) < 2 || strings.Contains(m[1], "--from") {
			continue
		}
		fields := strings.Fields(m[1])
		paths = append(paths, fields[:len(fields)-1]...) // the last is the destination
	}
	return paths
}

// copyPath copies a file, or a directory's contents into to, as COPY does.
func copyPath(t *testing.T, from, to string) {
	t.Helper()
	info, err := os.Stat(from)
	if err != nil {
		t.Fatal(err)
	}
	dir, src := filepath.Dir(to), from
	if info.IsDir() {
		dir, src = to, filepath.Join(from, ".")+"/."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-r", src, to).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", from, err, out)
	}
}
