// Command pause is the pod sandbox ("pause") container of the single-node
// cluster (hack/node-up.sh): no image can be pulled here, so containerd's
// sandbox image is this static binary on an empty base, built from source.
// Like Kubernetes' own pause it holds the pod's namespaces open, exits 0 on
// SIGINT or SIGTERM, and, as PID 1 of a shared PID namespace, reaps orphans.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		// Reap every exited child without blocking.
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
