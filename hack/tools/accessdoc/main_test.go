package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// root is the repository's root, from this package's directory.
const root = "../../.."

// TestREADMEsAreCurrent fails when a service's README has a table other
// than the one its contract's policy renders (make generate rewrites it).
func TestREADMEsAreCurrent(t *testing.T) {
	for _, f := range Files {
		for i := range f.Services().Len() {
			s := f.Services().Get(i)
			path := filepath.Join(root, README(s))
			readme, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Update(readme, Table(s))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if !bytes.Equal(readme, want) {
				t.Errorf("%s: the access table is out of date: run make generate", path)
			}
		}
	}
}

// TestTableFollowsPolicy reads each rendered row back: a ✓ exactly under
// the roles the method's policy lists, "yes" exactly when it is personal
// data, one row per method in the contract's order.
func TestTableFollowsPolicy(t *testing.T) {
	roles := Roles()
	for _, f := range Files {
		for i := range f.Services().Len() {
			s := f.Services().Get(i)
			var rows []string
			for _, line := range strings.Split(Table(s), "\n") {
				if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| RPC |") {
					rows = append(rows, line)
				}
			}
			if len(rows) != s.Methods().Len() {
				t.Fatalf("%s: %d rows, want one per method (%d)", s.FullName(), len(rows), s.Methods().Len())
			}
			for j, row := range rows {
				m := s.Methods().Get(j)
				cells := strings.Split(strings.Trim(row, "|"), "|")
				for k := range cells {
					cells[k] = strings.TrimSpace(cells[k])
				}
				if name, _, _ := strings.Cut(cells[0], " "); name != string(m.Name()) {
					t.Errorf("row %d names %q, want %s", j, cells[0], m.Name())
				}
				policy := Policy(m)
				for k, r := range roles {
					if got, want := cells[1+k] == "✓", slices.Contains(policy.GetRoles(), r); got != want {
						t.Errorf("%s as %s: ticked %v, policy allows %v", m.Name(), RoleName(r), got, want)
					}
				}
				if got, want := cells[1+len(roles)] == "yes", policy.GetPersonalData(); got != want {
					t.Errorf("%s: personal data %v, policy says %v", m.Name(), got, want)
				}
			}
		}
	}
}

func TestRoleNames(t *testing.T) {
	var names []string
	for _, r := range Roles() {
		names = append(names, RoleName(r))
	}
	want := []string{"hub admin", "caseworker", "careers leader", "analyst", "service"}
	if !slices.Equal(names, want) {
		t.Errorf("columns %q, want %q", names, want)
	}
}

func TestUpdate(t *testing.T) {
	readme := "# x\n\n" + Begin + "\nold table\n" + End + "\n\nafter\n"
	got, err := Update([]byte(readme), "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# x\n\n" + Begin + "\nnew\n" + End + "\n\nafter\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	again, err := Update(got, "new\n")
	if err != nil || !bytes.Equal(again, got) {
		t.Errorf("a second run changed the README: %q (err %v)", again, err)
	}
	for _, bad := range []string{"no markers", Begin + "\n" + Begin + "\n" + End, End + "\n" + Begin} {
		if _, err := Update([]byte(bad), "t"); err == nil {
			t.Errorf("Update(%q) = nil error, want one", bad)
		}
	}
}
