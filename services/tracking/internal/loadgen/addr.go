package loadgen

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// LoopbackURL turns an address to load (host:port, or an http:// URL with
// no path) into the base URL to call, refusing anything that is not this
// machine's loopback interface: a load generator must never be pointed at
// a shared or production service by a typo. "localhost" is taken as
// 127.0.0.1 rather than resolved, so a hosts file cannot send it elsewhere.
func LoopbackURL(addr string) (string, error) {
	hostPort := addr
	if strings.Contains(addr, "://") {
		u, err := url.Parse(addr)
		if err != nil {
			return "", fmt.Errorf("address %q: %w", addr, err)
		}
		if u.Scheme != "http" || (u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" {
			return "", fmt.Errorf("address %q: want host:port or http://host:port", addr)
		}
		hostPort = u.Host
	}
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	if port == "" {
		return "", fmt.Errorf("address %q has no port", addr)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return "", fmt.Errorf("address %q is not a loopback address (127.0.0.1, ::1 or localhost): loads go only to this machine", addr)
	}
	return "http://" + net.JoinHostPort(ip.String(), port), nil
}
