package rpcerror_test

import (
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// TestReasonTravelsTwice: a refusal carries its reason typed, for nextstep's
// own clients, and as the standard ErrorInfo, for every other client.
func TestReasonTravelsTwice(t *testing.T) {
	t.Parallel()
	err := rpcerror.New(connect.CodeAborted, refusalv1.Reason_REASON_STALE_VERSION, "the %s has changed", "task")
	if got := rpcerror.Reason(err); got != refusalv1.Reason_REASON_STALE_VERSION {
		t.Errorf("Reason = %v", got)
	}
	var info *errdetails.ErrorInfo
	for _, d := range err.Details() {
		if v, derr := d.Value(); derr == nil {
			if i, ok := v.(*errdetails.ErrorInfo); ok {
				info = i
			}
		}
	}
	if info.GetReason() != "STALE_VERSION" || info.GetDomain() != rpcerror.Domain {
		t.Errorf("ErrorInfo = %v, want reason STALE_VERSION in %s", info, rpcerror.Domain)
	}
	if got := rpcerror.Reason(connect.NewError(connect.CodeInternal, nil)); got != refusalv1.Reason_REASON_UNSPECIFIED {
		t.Errorf("Reason of a bare error = %v", got)
	}
	meta := rpcerror.WithMetadata(rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_STALE_PASS, "stale"), map[string]string{"last_pass_token": "7"})
	if rpcerror.Reason(meta) != refusalv1.Reason_REASON_STALE_PASS || rpcerror.Metadata(meta)["last_pass_token"] != "7" {
		t.Errorf("WithMetadata lost the reason or the metadata: %v", meta)
	}
}
