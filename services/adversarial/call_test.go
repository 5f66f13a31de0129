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
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// postJSON calls a procedure the way curl does, with a JSON body written
// by hand (a misspelt field, a label the contract no longer has), and
// returns the Connect error the service answered, or nil.
func postJSON(ctx context.Context, baseURL, procedure, caller, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+procedure, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", servicetest.Bearer(caller))
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
	_, err := exchange(ctx, baseURL, method, token, msg)
	return err
}

// exchange is call, sending a client stream every message of msgs (any
// other method takes the first) and returning the messages the method
// answered with (one, or every message of a server stream) as the
// generated types. An empty token calls anonymously: no Authorization
// header at all.
func exchange(ctx context.Context, baseURL string, method protoreflect.MethodDescriptor, token string, msgs ...proto.Message) ([]proto.Message, error) {
	procedure := fmt.Sprintf("/%s/%s", method.Parent().FullName(), method.Name())
	init := func(spec connect.Spec, m any) error {
		if d, ok := m.(*dynamicpb.Message); ok {
			*d = *dynamicpb.NewMessage(method.Output())
		}
		return nil
	}
	opts := []connect.ClientOption{connect.WithSchema(method), connect.WithResponseInitializer(init)}
	if token != "" {
		opts = append(opts, servicetest.Options(token, false)...)
	}
	client := connect.NewClient[dynamicpb.Message, dynamicpb.Message](servicetest.HTTPClient(), baseURL+procedure, opts...)
	reqs := make([]*dynamicpb.Message, len(msgs))
	for i, msg := range msgs {
		reqs[i] = dynamicpb.NewMessage(method.Input())
		proto.Merge(reqs[i], msg)
	}
	if len(reqs) == 0 {
		return nil, errors.New("exchange: no request")
	}
	req := reqs[0]
	var out []*dynamicpb.Message
	switch {
	case method.IsStreamingClient():
		stream := client.CallClientStream(ctx)
		for _, req := range reqs {
			// A refused stream ends with io.EOF; CloseAndReceive says why.
			if err := stream.Send(req); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, err
			}
		}
		res, err := stream.CloseAndReceive()
		if err != nil {
			return nil, err
		}
		out = append(out, res.Msg)
	case method.IsStreamingServer():
		stream, err := client.CallServerStream(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		defer stream.Close()
		for stream.Receive() {
			out = append(out, proto.Clone(stream.Msg()).(*dynamicpb.Message))
		}
		if err := stream.Err(); err != nil {
			return nil, err
		}
	default:
		res, err := client.CallUnary(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		out = append(out, res.Msg)
	}
	return typed(method.Output(), out)
}

// typed converts dynamic messages to the generated type of md.
func typed(md protoreflect.MessageDescriptor, msgs []*dynamicpb.Message) ([]proto.Message, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
	if err != nil {
		return nil, err
	}
	out := make([]proto.Message, len(msgs))
	for i, d := range msgs {
		data, err := proto.Marshal(d)
		if err != nil {
			return nil, err
		}
		m := mt.New().Interface()
		if err := proto.Unmarshal(data, m); err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}
