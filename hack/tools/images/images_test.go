package main

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
)

// root is the repository's root, from this package's directory.
const root = "../../.."

var epoch = time.Unix(1764460800, 0).UTC()

var (
	pupilOnce  sync.Once
	pupilImage v1.Image
	pupilErr   error
)

// builtPupil builds the pupil service's image once for the tests, as make
// images does, into a layout, and reads it back from there.
func builtPupil(t *testing.T) v1.Image {
	t.Helper()
	pupilOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nextstep-images-test-")
		if err != nil {
			pupilErr = err
			return
		}
		c, _ := componentNamed("pupil")
		if _, pupilErr = Build(root, c, Reference(c, "test"), dir, epoch); pupilErr != nil {
			return
		}
		pupilImage, pupilErr = readLayout(dir)
	})
	if pupilErr != nil {
		t.Fatal(pupilErr)
	}
	return pupilImage
}

func readLayout(dir string) (v1.Image, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) != 1 {
		return nil, fmt.Errorf("%d images in the layout", len(m.Manifests))
	}
	return idx.Image(m.Manifests[0].Digest)
}

// TestReproducible: the same source builds the same image, digest for
// digest; it runs as the unprivileged user, its entrypoint is the binary,
// and it holds nothing but the user, the directories and the binary.
func TestReproducible(t *testing.T) {
	t.Parallel()
	img := builtPupil(t)
	again := filepath.Join(t.TempDir(), "pupil")
	c, _ := componentNamed("pupil")
	digest, err := Build(root, c, Reference(c, "test"), again, epoch)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := img.Digest(); digest != want {
		t.Errorf("a second build's digest %s, the first's %s", digest, want)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "65532:65532" || strings.Join(cfg.Config.Entrypoint, " ") != "/usr/local/bin/pupil" || !cfg.Created.Equal(epoch) {
		t.Errorf("config: user %q, entrypoint %v, created %s", cfg.Config.User, cfg.Config.Entrypoint, cfg.Created)
	}
	var files []string
	tr := tar.NewReader(mutate.Extract(img))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, h.Name)
		if !h.ModTime.Equal(epoch) {
			t.Errorf("%s is dated %s, not SOURCE_DATE_EPOCH", h.Name, h.ModTime)
		}
	}
	// The flattened filesystem, top layer first.
	want := "usr/local/bin/pupil etc etc/passwd etc/group etc/nsswitch.conf home home/nonroot tmp usr usr/local usr/local/bin"
	if got := strings.Join(files, " "); got != want {
		t.Errorf("files:\n%s\nwant:\n%s", got, want)
	}
}

// TestRunsUnderRunc unpacks the image and runs its entrypoint with runc
// (no Docker engine), on a read-only root filesystem, as the image's user:
// it migrates a fresh database and answers /readyz. Run as root, it
// refuses to start.
func TestRunsUnderRunc(t *testing.T) {
	runc := os.Getenv("NEXTSTEP_RUNC")
	if runc == "" {
		t.Fatal("NEXTSTEP_RUNC is not set: make test sets it from hack/ensure-runc.sh")
	}
	img := builtPupil(t)
	bundle := t.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	if err := unpack(img, rootfs); err != nil {
		t.Fatal(err)
	}
	dbURL := dbtest.NewDatabase(t, "imagestest", fstest.MapFS{})
	addr := freeAddr(t)
	state := t.TempDir()

	run := func(uid int, wantReady bool) (string, int) {
		t.Helper()
		id := fmt.Sprintf("nextstep-images-test-%d-%d", os.Getpid(), uid)
		if err := writeSpec(bundle, uid, []string{"DATABASE_URL=" + dbURL, "NEXTSTEP_LISTEN=" + addr}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, runc, "--root", state, "run", "--bundle", bundle, id)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		defer func() {
			_ = exec.Command(runc, "--root", state, "delete", "--force", id).Run()
		}()
		if wantReady {
			if err := waitReady(ctx, "http://"+addr+"/readyz", done); err != nil {
				t.Fatalf("not ready: %v\n%s", err, out.String())
			}
			_ = exec.Command(runc, "--root", state, "kill", id, "TERM").Run()
		}
		err := <-done
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return out.String(), exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("runc: %v\n%s", err, out.String())
		}
		return out.String(), 0
	}

	if out, code := run(User, true); code != 0 {
		t.Errorf("stopped with %d after SIGTERM, want 0:\n%s", code, out)
	}
	if out, code := run(0, false); code != 2 || !strings.Contains(out, "refusing to run as root") {
		t.Errorf("as root: exit %d, want 2 and a refusal:\n%s", code, out)
	}
}

// unpack writes the image's filesystem to dir.
func unpack(img v1.Image, dir string) error {
	tr := tar.NewReader(mutate.Extract(img))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		path := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
			if err := os.Chmod(path, os.FileMode(h.Mode&0o777)|sticky(h.Mode)); err != nil {
				return err
			}
		case tar.TypeReg:
			// The top layer comes first, before the directories below it.
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode&0o777))
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		if err := os.Lchown(path, h.Uid, h.Gid); err != nil {
			return err
		}
	}
}

func sticky(mode int64) os.FileMode {
	if mode&0o1000 != 0 {
		return os.ModeSticky
	}
	return 0
}

// writeSpec writes the bundle's config.json: runc's default spec, run as
// uid, on the host's network (so the service reaches PostgreSQL on
// loopback and the test reaches it), with a read-only root and a scratch
// /tmp, as the chart runs it.
func writeSpec(bundle string, uid int, env []string) error {
	path := filepath.Join(bundle, "config.json")
	_ = os.Remove(path)
	cmd := exec.Command(os.Getenv("NEXTSTEP_RUNC"), "spec", "--bundle", bundle)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("runc spec: %w: %s", err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return err
	}
	process := spec["process"].(map[string]any)
	process["terminal"] = false
	process["args"] = []string{"/usr/local/bin/pupil"}
	process["user"] = map[string]any{"uid": uid, "gid": uid}
	process["env"] = append([]string{"PATH=/usr/local/bin"}, env...)
	spec["root"] = map[string]any{"path": "rootfs", "readonly": true}
	spec["mounts"] = append(spec["mounts"].([]any), map[string]any{
		"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": []string{"nosuid", "nodev", "mode=1777"},
	})
	linux := spec["linux"].(map[string]any)
	var namespaces []any
	for _, ns := range linux["namespaces"].([]any) {
		if ns.(map[string]any)["type"] != "network" {
			namespaces = append(namespaces, ns)
		}
	}
	linux["namespaces"] = namespaces
	data, err = json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// waitReady polls url until it answers 200, the process ends, or ctx does.
func waitReady(ctx context.Context, url string, done <-chan error) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-done:
			return fmt.Errorf("exited before it was ready: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
