package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/auth/v1"
)

// Policy returns the access policy declared on a method in its .proto file
// with the (nextstep.auth.v1.access) option, or nil when there is none.
func Policy(method protoreflect.MethodDescriptor) *authv1.Access {
	if method == nil {
		return nil
	}
	access, _ := proto.GetExtension(method.Options(), authv1.E_Access).(*authv1.Access)
	if access == nil || len(access.GetRoles()) == 0 {
		return nil
	}
	return access
}

// Authorize checks a principal against a method's policy. A method with no
// policy is refused: access is opt-in, so a forgotten option fails closed.
func Authorize(p Principal, policy *authv1.Access) error {
	if policy == nil {
		return errors.New("the method declares no access policy")
	}
	if !slices.Contains(policy.GetRoles(), p.Role) {
		return fmt.Errorf("role %s may not call this method", p.Role)
	}
	return nil
}

// NewInterceptor returns the Connect interceptor that enforces each method's
// declared policy. It must run after Middleware has put a principal in the
// context.
func NewInterceptor() connect.Interceptor { return interceptor{} }

type interceptor struct{}

func (interceptor) check(ctx context.Context, spec connect.Spec) error {
	p, ok := FromContext(ctx)
	if !ok {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("no authenticated principal"))
	}
	method, _ := spec.Schema.(protoreflect.MethodDescriptor)
	if err := Authorize(p, Policy(method)); err != nil {
		return connect.NewError(connect.CodePermissionDenied, err)
	}
	return nil
}

func (i interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		if err := i.check(ctx, req.Spec()); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := i.check(ctx, conn.Spec()); err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
