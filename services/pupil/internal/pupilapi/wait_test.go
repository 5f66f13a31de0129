package pupilapi_test

import (
	"testing"
	"time"
)

// assertEventually waits for cond, which another goroutine (the server
// finishing a call the client abandoned) makes true. It bounds the wait,
// not the speed: no timing is asserted.
func assertEventually(t *testing.T, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("condition not reached")
}
