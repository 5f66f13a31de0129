// Package gomemlimit sets the Go runtime's soft memory limit (GOMEMLIMIT)
// from the container's, for every nextstep process: without it the
// collector lets the heap grow to twice what is live before it collects,
// and a process near its container's limit (the chart gives each one) is
// killed for memory it did not need to hold. With it the collector works
// harder as the heap nears the limit instead.
//
// It uses automemlimit, as Prometheus does (--auto-gomemlimit.ratio): 90%
// of the cgroup's memory limit, leaving a tenth for what the runtime does
// not count. GOMEMLIMIT set in the environment wins; AUTOMEMLIMIT=off or a
// ratio in (0, 1] overrides the 0.9.
package gomemlimit

import (
	"log/slog"
	"os"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// Set sets the limit from the cgroup's and logs what it did: the limit in
// bytes, or that the process runs with none (no cgroup limit, as outside a
// container, or one set or turned off in the environment). A limit that
// cannot be read is logged and left unset: the process runs as it would
// have without this.
func Set(logger *slog.Logger) {
	set(logger, memlimit.FromCgroup)
}

func set(logger *slog.Logger, container memlimit.Provider) {
	limit, err := memlimit.SetGoMemLimitWithOpts(memlimit.WithProvider(container))
	switch {
	case err != nil:
		logger.Warn("Go memory limit not set from the container's", "error", err.Error())
	case limit > 0:
		logger.Info("Go memory limit set from the container's", "bytes", limit)
	case os.Getenv("GOMEMLIMIT") != "":
		logger.Info("Go memory limit taken from GOMEMLIMIT", "GOMEMLIMIT", os.Getenv("GOMEMLIMIT"))
	case os.Getenv("AUTOMEMLIMIT") == "off":
		logger.Info("Go memory limit not set: AUTOMEMLIMIT is off")
	default:
		logger.Info("Go memory limit not set: the container has none")
	}
}
