package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Component is a binary of the repository and the module it is built in.
type Component struct {
	Name   string
	Module string // directory, from the repository's root
	Main   string // package, from the module
}

// Components are every image nextstep ships.
var Components = []Component{
	{"pupil", "services/pupil", "./cmd/pupil"},
	{"placement", "services/placement", "./cmd/placement"},
	{"tracking", "services/tracking", "./cmd/tracking"},
	{"console", "services/console", "./cmd/console"},
	{"operator", "operator", "./cmd/operator"},
}

func componentNamed(name string) (Component, bool) {
	for _, c := range Components {
		if c.Name == name {
			return c, true
		}
	}
	return Component{}, false
}

// Registry and Prefix are the chart's defaults (image.registry,
// image.repositoryPrefix).
const (
	Registry = "ghcr.io"
	Prefix   = "nextstep-uk/nextstep"
)

// Reference is the image's name as the chart's default values give it.
func Reference(c Component, tag string) string {
	return fmt.Sprintf("%s/%s/%s:%s", Registry, Prefix, c.Name, tag)
}

// User is the unprivileged user every image runs as.
const User = 65532

// Build compiles c and writes its image, named ref, as an OCI layout in
// dir (replacing what is there), and returns the image's digest.
func Build(root string, c Component, ref, dir string, epoch time.Time) (v1.Hash, error) {
	binary, err := compile(root, c)
	if err != nil {
		return v1.Hash{}, err
	}
	img, err := Image(c, binary, epoch)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return v1.Hash{}, err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": ref})); err != nil {
		return v1.Hash{}, err
	}
	return img.Digest()
}

// compile builds c's binary for Linux on this machine's architecture,
// static and reproducible: no cgo, no workspace (each module builds on its
// own, as its go.mod and go.sum say), paths trimmed, no build id or VCS
// stamp.
func compile(root string, c Component) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "nextstep-image-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(tmp) }() // a temporary directory; the binary has been read
	out := filepath.Join(tmp, c.Name)
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", out, c.Main)
	cmd.Dir = filepath.Join(root, c.Module)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOOS=linux", "GOARCH="+runtime.GOARCH, "GOFLAGS=")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build: %w", err)
	}
	return os.ReadFile(out)
}

// Image is c's image around binary: a base layer with the user and the
// directories, a layer with the binary, dated epoch.
func Image(c Component, binary []byte, epoch time.Time) (v1.Image, error) {
	path := "/usr/local/bin/" + c.Name
	base, err := layer(epoch, []entry{
		{name: "etc/", mode: 0o755},
		{name: "etc/passwd", mode: 0o644, data: fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", User, User)},
		{name: "etc/group", mode: 0o644, data: fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", User)},
		{name: "etc/nsswitch.conf", mode: 0o644, data: "hosts: files dns\n"},
		{name: "home/", mode: 0o755},
		{name: "home/nonroot/", mode: 0o700, owner: User},
		// The chart mounts a scratch directory here; the root filesystem
		// is read-only.
		{name: "tmp/", mode: 0o1777},
		{name: "usr/", mode: 0o755},
		{name: "usr/local/", mode: 0o755},
		{name: "usr/local/bin/", mode: 0o755},
	})
	if err != nil {
		return nil, err
	}
	bin, err := layer(epoch, []entry{{name: path[1:], mode: 0o755, data: string(binary)}})
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(empty.Image,
		mutate.Addendum{Layer: base, History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "nextstep base: an unprivileged user and directories"}},
		mutate.Addendum{Layer: bin, History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "nextstep " + c.Name + ": static binary"}},
	)
	if err != nil {
		return nil, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS, cfg.Created = runtime.GOARCH, "linux", v1.Time{Time: epoch}
	cfg.Config = v1.Config{
		User:         fmt.Sprintf("%d:%d", User, User),
		Entrypoint:   []string{path},
		Env:          []string{"PATH=/usr/local/bin"},
		WorkingDir:   "/",
		ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":  "nextstep " + c.Name,
			"org.opencontainers.image.source": "https://github.com/nextstep-uk/nextstep",
		},
	}
	return mutate.ConfigFile(img, cfg)
}

// entry is a file or, with a trailing slash, a directory of a layer.
type entry struct {
	name  string
	mode  int64
	owner int
	data  string
}

// layer is a gzipped tar of entries, every one dated epoch and owned by
// root unless it says otherwise.
func layer(epoch time.Time, entries []entry) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, ModTime: epoch, Uid: e.owner, Gid: e.owner, Format: tar.FormatPAX}
		if e.name[len(e.name)-1] == '/' {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.OCILayer))
}
