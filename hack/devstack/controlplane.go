package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

type controlPlane struct {
	env        *envtest.Environment
	kubeconfig string
}

// startControlPlane starts kube-apiserver and etcd with the chart's CRDs
// and writes an admin kubeconfig into runDir.
func startControlPlane(root, runDir string) (*controlPlane, error) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return nil, errors.New("KUBEBUILDER_ASSETS is unset: run devstack through `make run`")
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "charts", "nextstep", "crds")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}
	if _, err := env.Start(); err != nil {
		return nil, fmt.Errorf("start kube-apiserver and etcd: %w", err)
	}
	user, err := env.AddUser(envtest.User{Name: "developer", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("add a kubeconfig user: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		_ = env.Stop()
		return nil, err
	}
	path := filepath.Join(runDir, "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return &controlPlane{env: env, kubeconfig: path}, nil
}

func (c *controlPlane) stop() {
	if err := c.env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "devstack: stop control plane:", err)
	}
}
