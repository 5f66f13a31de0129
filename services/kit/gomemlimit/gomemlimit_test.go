package gomemlimit

import (
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// The runtime's limit is 90% of the container's; with none, or with
// GOMEMLIMIT or AUTOMEMLIMIT=off in the environment, it is left as it was.
// Not parallel: the limit and the environment are the process's.
func TestSet(t *testing.T) {
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	const mib = 1 << 20
	noLimit := func() (uint64, error) { return 0, memlimit.ErrNoLimit }
	for name, tc := range map[string]struct {
		env       map[string]string
		container memlimit.Provider
		want      int64
	}{
		"a container's 256 MiB": {container: memlimit.Limit(256 * mib), want: 256 * mib * 9 / 10},
		"no container limit":    {container: noLimit, want: math.MaxInt64},
		"GOMEMLIMIT set":        {env: map[string]string{"GOMEMLIMIT": "100MiB"}, container: memlimit.Limit(256 * mib), want: math.MaxInt64},
		"AUTOMEMLIMIT off":      {env: map[string]string{"AUTOMEMLIMIT": "off"}, container: memlimit.Limit(256 * mib), want: math.MaxInt64},
		"AUTOMEMLIMIT a half":   {env: map[string]string{"AUTOMEMLIMIT": "0.5"}, container: memlimit.Limit(256 * mib), want: 128 * mib},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"GOMEMLIMIT", "AUTOMEMLIMIT"} {
				if v, ok := os.LookupEnv(k); ok {
					t.Setenv(k, v) // restored after
					if err := os.Unsetenv(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			before := debug.SetMemoryLimit(math.MaxInt64)
			t.Cleanup(func() { debug.SetMemoryLimit(before) })
			set(discard, tc.container)
			if got := debug.SetMemoryLimit(-1); got != tc.want {
				t.Errorf("limit %d, want %d", got, tc.want)
			}
		})
	}
}
