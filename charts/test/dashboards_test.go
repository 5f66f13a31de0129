package chartstest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestDashboardsAreWellFormed: each dashboard has its own uid, unique panel
// ids, panels that fit Grafana's 24-column grid, a query on every panel and
// the data source chosen by the dashboard's variable, so it imports into any
// Grafana without editing.
func TestDashboardsAreWellFormed(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(chartDir(t), "dashboards", "*.json"))
	if err != nil || len(files) != 3 {
		t.Fatalf("want the hub overview, cohort and service health dashboards, found %v (%v)", files, err)
	}
	uids := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var board struct {
			UID    string `json:"uid"`
			Title  string `json:"title"`
			Panels []struct {
				ID         int    `json:"id"`
				Type       string `json:"type"`
				Title      string `json:"title"`
				Datasource struct {
					UID string `json:"uid"`
				} `json:"datasource"`
				GridPos struct{ X, W, H int } `json:"gridPos"`
				Targets []json.RawMessage     `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(raw, &board); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if board.UID == "" || board.Title == "" {
			t.Errorf("%s: no uid or title", f)
		}
		if other, ok := uids[board.UID]; ok {
			t.Errorf("%s and %s share uid %s", f, other, board.UID)
		}
		uids[board.UID] = f
		ids := map[int]bool{}
		for _, p := range board.Panels {
			if ids[p.ID] {
				t.Errorf("%s: panel id %d used twice", board.Title, p.ID)
			}
			ids[p.ID] = true
			if p.GridPos.X+p.GridPos.W > 24 || p.GridPos.W == 0 || p.GridPos.H == 0 {
				t.Errorf("%s / %s: gridPos %+v does not fit the grid", board.Title, p.Title, p.GridPos)
			}
			if p.Type == "row" {
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s / %s: no query", board.Title, p.Title)
			}
			if p.Datasource.UID != "${datasource}" {
				t.Errorf("%s / %s: data source %q, want the ${datasource} variable", board.Title, p.Title, p.Datasource.UID)
			}
		}
	}
}
