// Package rpcerror builds the errors nextstep's services return: always an
// explicit Connect code, a message that names the field or the thing but
// never a child's personal data, and a machine-readable reason
// (google.rpc.ErrorInfo) a client can switch on.
package rpcerror

import (
	"errors"
	"fmt"
	"strings"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
)

// Domain qualifies every ErrorInfo reason.
const Domain = "nextstep.uk"

// New returns an error with code, a message, and reason in two details: a
// typed refusalv1.Refusal, and a google.rpc.ErrorInfo whose reason is the
// value's name without REASON_ (STALE_VERSION), for clients that read only
// the standard details. Reasons are stable: clients depend on them.
func New(code connect.Code, reason refusalv1.Reason, format string, args ...any) *connect.Error {
	err := connect.NewError(code, fmt.Errorf(format, args...))
	for _, detail := range []proto.Message{
		&refusalv1.Refusal{Reason: reason},
		&errdetails.ErrorInfo{Reason: ReasonName(reason), Domain: Domain},
	} {
		if d, derr := connect.NewErrorDetail(detail); derr == nil {
			err.AddDetail(d)
		}
	}
	return err
}

// ReasonName is a reason as ErrorInfo carries it: STALE_VERSION.
func ReasonName(r refusalv1.Reason) string {
	return strings.TrimPrefix(r.String(), "REASON_")
}

// WithMetadata returns err with metadata added to its ErrorInfo, for a
// refusal a client acts on with more than its reason (STALE_PASS carries
// the last pass applied). Values must hold no personal data.
func WithMetadata(err *connect.Error, metadata map[string]string) *connect.Error {
	out := connect.NewError(err.Code(), errors.New(err.Message()))
	for _, d := range err.Details() {
		msg, derr := d.Value()
		if info, ok := msg.(*errdetails.ErrorInfo); ok && derr == nil {
			info.Metadata = metadata
			if nd, nerr := connect.NewErrorDetail(info); nerr == nil {
				d = nd
			}
		}
		out.AddDetail(d)
	}
	return out
}

// Metadata returns the ErrorInfo metadata carried by err, or nil.
func Metadata(err error) map[string]string {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return nil
	}
	for _, d := range cerr.Details() {
		if msg, derr := d.Value(); derr == nil {
			if info, ok := msg.(*errdetails.ErrorInfo); ok {
				return info.GetMetadata()
			}
		}
	}
	return nil
}

// NotFound says that the named thing does not exist or the caller may not
// see it (the two are not told apart, so scope cannot be probed).
func NotFound(what string) *connect.Error {
	return New(connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND, "%s not found", what)
}

// Violation is one field's reason to refuse a request, in the form
// protovalidate reports its own, so clients read one format.
type Violation struct {
	// Field is the dotted path of the field in the request, e.g. "pupil.upn".
	Field string
	// RuleID identifies the rule, e.g. "upn.check_letter".
	RuleID string
	// Message says what is wrong without repeating the value.
	Message string
}

// InvalidArgument refuses a request for one or more field violations.
func InvalidArgument(vs ...Violation) *connect.Error {
	if len(vs) == 0 {
		panic("rpcerror.InvalidArgument needs at least one violation")
	}
	msgs := make([]string, len(vs))
	details := &validate.Violations{}
	for i, v := range vs {
		msgs[i] = v.Field + ": " + v.Message
		details.Violations = append(details.Violations, &validate.Violation{
			Field:   fieldPath(v.Field),
			RuleId:  proto.String(v.RuleID),
			Message: proto.String(v.Message),
		})
	}
	err := connect.NewError(connect.CodeInvalidArgument, errors.New(strings.Join(msgs, "; ")))
	if d, derr := connect.NewErrorDetail(details); derr == nil {
		err.AddDetail(d)
	}
	return err
}

func fieldPath(dotted string) *validate.FieldPath {
	fp := &validate.FieldPath{}
	for name := range strings.SplitSeq(dotted, ".") {
		fp.Elements = append(fp.Elements, &validate.FieldPathElement{FieldName: proto.String(name)})
	}
	return fp
}

// Fields returns the dotted field paths of the violations in err, from both
// protovalidate and InvalidArgument. Tests and clients use it to see which
// fields were refused.
func Fields(err error) []string {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return nil
	}
	var fields []string
	for _, d := range cerr.Details() {
		msg, derr := d.Value()
		if derr != nil {
			continue
		}
		vs, ok := msg.(*validate.Violations)
		if !ok {
			continue
		}
		for _, v := range vs.GetViolations() {
			var names []string
			for _, e := range v.GetField().GetElements() {
				names = append(names, e.GetFieldName())
			}
			fields = append(fields, strings.Join(names, "."))
		}
	}
	return fields
}

// Reason returns the typed reason err carries, or REASON_UNSPECIFIED.
func Reason(err error) refusalv1.Reason {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return refusalv1.Reason_REASON_UNSPECIFIED
	}
	for _, d := range cerr.Details() {
		if msg, derr := d.Value(); derr == nil {
			if r, ok := msg.(*refusalv1.Refusal); ok {
				return r.GetReason()
			}
		}
	}
	return refusalv1.Reason_REASON_UNSPECIFIED
}
