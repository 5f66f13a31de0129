package main

import (
	"os"
	"testing"
)

// readMemStatus reads this process's memory from /proc: a resident set
// that is its anonymous memory and file pages (and shared memory, which a
// Go test has none of), at most its peak.
func TestReadMemStatus(t *testing.T) {
	m := readMemStatus(os.Getpid())
	if m.rss <= 0 || m.anon <= 0 || m.file <= 0 {
		t.Fatalf("status %+v: want a resident set, anonymous memory and file pages", m)
	}
	if m.anon+m.file > m.rss || m.rss > m.hwm {
		t.Errorf("status %+v: want anonymous + file <= resident <= peak", m)
	}
	if m := readMemStatus(-1); m != (memStatus{}) {
		t.Errorf("status of no process: %+v, want zero", m)
	}
}
