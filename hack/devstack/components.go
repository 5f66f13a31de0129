package main

import (
	"fmt"
	"path/filepath"
)

// component is one local process of the stack.
type component struct {
	name  string
	bin   string
	args  []string
	env   []string
	ready string // URL answering 200 once the component is ready
	urls  []string
}

// The local ports. Services listen where their binaries do by default.
const (
	pupilAddr         = "127.0.0.1:8081"
	placementAddr     = "127.0.0.1:8082"
	trackingAddr      = "127.0.0.1:8083"
	consoleAddr       = "127.0.0.1:8085"
	operatorMetrics   = "127.0.0.1:8090"
	operatorProbeAddr = "127.0.0.1:8091"
	operatorPprofAddr = "127.0.0.1:8092" // bench-region -profile only
)

// servicePprofAddrs are where the services serve Go's profiler under
// bench-region -profile (NEXTSTEP_PPROF_LISTEN).
var servicePprofAddrs = map[string]string{
	"pupil":     "127.0.0.1:8093",
	"placement": "127.0.0.1:8094",
	"tracking":  "127.0.0.1:8095",
}

// consoleURL is where the console is reached; its sign-in callback is
// registered with the development provider (consoleCallback).
const (
	consoleURL      = "http://" + consoleAddr
	consoleCallback = consoleURL + "/auth/callback" // services/console/internal/web.CallbackPath
)

// components are the stack's processes. The services check tokens as
// authConfig says, asking the local kube-apiserver (kubeconfig) to review
// service-account tokens; tokens names the file holding each calling
// component's service-account token. The console signs people in at
// issuer and reads the same authConfig to know their roles.
func components(root, dbURL, kubeconfig, authConfig, issuer string, tokens map[string]string) []component {
	bin := func(name string) string { return filepath.Join(root, "bin", name) }
	service := func(name, addr string) component {
		env := []string{
			"DATABASE_URL=" + dbURL,
			"NEXTSTEP_LISTEN=" + addr,
			"NEXTSTEP_AUTH_CONFIG=" + authConfig,
			"KUBECONFIG=" + kubeconfig,
		}
		if token, ok := tokens[name]; ok {
			env = append(env, "NEXTSTEP_PUPIL_URL=http://"+pupilAddr, "NEXTSTEP_TOKEN_FILE="+token)
		}
		return component{
			name:  name,
			bin:   bin(name),
			env:   env,
			ready: "http://" + addr + "/readyz",
			urls:  []string{"http://" + addr, "http://" + addr + "/metrics"},
		}
	}
	return []component{
		service("pupil", pupilAddr),
		service("placement", placementAddr),
		service("tracking", trackingAddr),
		{
			name: "console",
			bin:  bin("console"),
			env: []string{
				"DATABASE_URL=" + dbURL,
				"NEXTSTEP_LISTEN=" + consoleAddr,
				"NEXTSTEP_CONSOLE_URL=" + consoleURL,
				"NEXTSTEP_OIDC_ISSUER=" + issuer,
				"NEXTSTEP_AUTH_CONFIG=" + authConfig,
				"NEXTSTEP_PUPIL_URL=http://" + pupilAddr,
				"NEXTSTEP_PLACEMENT_URL=http://" + placementAddr,
				"NEXTSTEP_TRACKING_URL=http://" + trackingAddr,
			},
			ready: consoleURL + "/readyz",
			urls:  []string{consoleURL},
		},
		{
			name: "operator",
			bin:  bin("operator"),
			args: []string{
				"--leader-election-namespace=default",
				"--metrics-bind-address=" + operatorMetrics,
				"--health-probe-bind-address=" + operatorProbeAddr,
				"--pupil-url=http://" + pupilAddr,
				"--placement-url=http://" + placementAddr,
				"--tracking-url=http://" + trackingAddr,
				"--token-file=" + tokens["operator"],
				// A small region: the LA measures are cheap to read, and
				// seeded records show on the dashboards within a minute.
				"--measures-interval=30s",
			},
			env:   []string{"KUBECONFIG=" + kubeconfig},
			ready: "http://" + operatorProbeAddr + "/readyz",
			urls:  []string{fmt.Sprintf("http://%s/metrics", operatorMetrics)},
		},
	}
}
