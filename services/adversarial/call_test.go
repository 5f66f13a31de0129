package adversarial_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// postJSON calls a procedure the way curl does, with a JSON body written
// by hand (a misspelt field, a label the contract no longer has), and
// returns the Connect error the service answered, or nil.
func postJSON(ctx context.Context, baseURL, procedure, token, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+procedure, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return fmt.Errorf("status %d and no Connect error: %s", resp.StatusCode, data)
	}
	var code connect.Code
	if err := code.UnmarshalText([]byte(e.Code)); err != nil {
		return fmt.Errorf("status %d, unknown code %q", resp.StatusCode, e.Code)
	}
	return connect.NewError(code, errors.New(e.Message))
}

// call sends msg to the method as the principal with token, over the
// Connect protocol, whatever the method's kind of stream: a client stream
// gets msg as its only message, a server stream is read to its end.
func call(ctx context.Context, baseURL string, method protoreflect.MethodDescriptor, token string, msg proto.Message) error {
	procedure := fmt.Sprintf("/%s/%s", method.Parent().FullName(), method.Name())
	init := func(spec connect.Spec, m any) error {
		if d, ok := m.(*dynamicpb.Message); ok {
			*d = *dynamicpb.NewMessage(method.Output())
		}
		return nil
	}
	opts := append(servicetest.Options(token, false), connect.WithSchema(method), connect.WithResponseInitializer(init))
	client := connect.NewClient[dynamicpb.Message, dynamicpb.Message](servicetest.HTTPClient(), baseURL+procedure, opts...)
	req := dynamicpb.NewMessage(method.Input())
	proto.Merge(req, msg)
	switch {
	case method.IsStreamingClient():
		stream := client.CallClientStream(ctx)
		if err := stream.Send(req); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		_, err := stream.CloseAndReceive()
		return err
	case method.IsStreamingServer():
		stream, err := client.CallServerStream(ctx, connect.NewRequest(req))
		if err != nil {
			return err
		}
		defer stream.Close()
		for stream.Receive() {
		}
		return stream.Err()
	default:
		_, err := client.CallUnary(ctx, connect.NewRequest(req))
		return err
	}
}
