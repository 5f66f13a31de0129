package trackingapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestJSONOverHTTP reads the queue's counts the way curl does.
func TestJSONOverHTTP(t *testing.T) {
	t.Parallel()
	e := start(t)
	heathPark().sync(t, e, desired(newID(t), "BEHIND_TRAJECTORY", "2020-01-01"))
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+trackingv1connect.TrackingServiceCountTasksProcedure, strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", servicetest.Bearer(servicetest.Caseworker))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"overdue":1`) {
		t.Fatalf("status %d, body %s", res.StatusCode, body)
	}
}
