package web

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// serviceOptions make every call to a service carry the signed-in person's
// own access token, so the service authorises the person, not the console.
// A call without one (a bug) carries none and is refused. Responses come
// uncompressed, as between any two components inside the cluster.
func serviceOptions() []connect.ClientOption {
	token := func(ctx context.Context) (string, error) {
		u, _ := ctx.Value(userKey{}).(*user)
		if u == nil || u.token == "" {
			return "", errors.New("console: a service call without a signed-in person")
		}
		return u.token, nil
	}
	return []connect.ClientOption{connect.WithInterceptors(credentials.NewInterceptor(token)), credentials.Uncompressed}
}

// notFound says whether a service refused because the record does not
// exist or is out of the person's scope: the two look the same, and the
// console shows both as its not-found page. An id that is not an id at all
// (InvalidArgument) is shown the same way.
func isNotFound(err error) bool {
	switch connect.CodeOf(err) {
	case connect.CodeNotFound, connect.CodeInvalidArgument, connect.CodePermissionDenied:
		return true
	}
	return false
}

// isStale says whether an update lost a race: someone changed the task
// since the person read it.
func isStale(err error) bool {
	return connect.CodeOf(err) == connect.CodeAborted && rpcerror.Reason(err) == refusalv1.Reason_REASON_STALE_VERSION
}

// isIllegal says whether the lifecycle does not allow the change (starting
// a resolved task, say), usually because the page was out of date.
func isIllegal(err error) bool {
	return connect.CodeOf(err) == connect.CodeFailedPrecondition
}
