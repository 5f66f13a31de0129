package hygiene

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// NewInterceptor returns the Connect interceptor that refuses a request
// message (every message of a stream) carrying an unknown field or a string
// that Text refuses, with InvalidArgument naming each field.
func NewInterceptor() connect.Interceptor { return interceptor{} }

// Check returns the violations of m: its unknown fields and its strings,
// however deeply nested, with dotted field paths ("pupil.legal_surname").
// A string inside a repeated field names its position in the message
// ("item 2: contains a control character"). They come in field-path order.
func Check(m proto.Message) []rpcerror.Violation {
	var vs []rpcerror.Violation
	walk(m.ProtoReflect(), "", "", &vs)
	slices.SortStableFunc(vs, func(a, b rpcerror.Violation) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Message, b.Message))
	})
	return vs
}

// walk checks m, found at path; where is the position of the repeated
// item it is in ("item 2"), or "".
func walk(m protoreflect.Message, path, where string, vs *[]rpcerror.Violation) {
	if len(m.GetUnknown()) > 0 {
		field := path
		if field == "" {
			field = "request"
		}
		*vs = append(*vs, rpcerror.Violation{Field: field, RuleID: RuleKnown, Message: at(where, "carries a field the contract does not define")})
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := string(fd.Name())
		if path != "" {
			name = path + "." + name
		}
		switch {
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				if fd.MapKey().Kind() == protoreflect.StringKind {
					text(k.String(), name, at(where, "a key"), vs)
				}
				value(fd.MapValue(), mv, name, at(where, "a value"), vs)
				return true
			})
		case fd.IsList():
			list := v.List()
			for i := range list.Len() {
				value(fd, list.Get(i), name, at(where, fmt.Sprintf("item %d", i+1)), vs)
			}
		default:
			value(fd, v, name, where, vs)
		}
		return true
	})
}

func value(fd protoreflect.FieldDescriptor, v protoreflect.Value, path, where string, vs *[]rpcerror.Violation) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		text(v.String(), path, where, vs)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		walk(v.Message(), path, where, vs)
	}
}

// at prefixes a position to a message: "item 2: a key: ...".
func at(where, msg string) string {
	if where == "" {
		return msg
	}
	return where + ": " + msg
}

func text(s, path, where string, vs *[]rpcerror.Violation) {
	p := Text(s)
	if p == nil {
		return
	}
	*vs = append(*vs, rpcerror.Violation{Field: path, RuleID: p.RuleID, Message: at(where, p.Message)})
}

func refuse(m any) error {
	msg, ok := m.(proto.Message)
	if !ok {
		return nil
	}
	if vs := Check(msg); len(vs) > 0 {
		return rpcerror.InvalidArgument(vs...)
	}
	return nil
}

type interceptor struct{}

func (interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if !req.Spec().IsClient {
			if err := refuse(req.Any()); err != nil {
				return nil, err
			}
		}
		return next(ctx, req)
	}
}

func (interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(ctx, checkedConn{conn})
	}
}

// checkedConn checks each message a stream receives.
type checkedConn struct{ connect.StreamingHandlerConn }

func (c checkedConn) Receive(m any) error {
	if err := c.StreamingHandlerConn.Receive(m); err != nil {
		return err
	}
	return refuse(m)
}
