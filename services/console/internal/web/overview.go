package web

import (
	"net/http"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
)

// overview shows the intervention queue's counts in the person's scope by
// reason and priority: aggregates only, no young person's data, so every
// role (an analyst too) may see it.
func (a *App) overview(w http.ResponseWriter, r *http.Request) {
	res, err := a.tracking.CountTasks(r.Context(), &trackingv1.CountTasksRequest{})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "overview", page{Title: "Overview", Nav: "overview", Data: res})
}
