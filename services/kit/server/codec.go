package server

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// strictJSON is Connect's JSON codec without its tolerance of unknown
// fields: a misspelt key in an update ("preferred_surnme") is refused
// rather than dropped, which would apply the update without it, and an
// enumeration value the contract does not define is refused rather than
// read as unset, which would widen a list filter. Binary protobuf keeps
// unknown fields instead, and the hygiene interceptor refuses those.
type strictJSON struct{ name string }

func (c strictJSON) Name() string { return c.name }

func (strictJSON) Marshal(m any) ([]byte, error) {
	msg, ok := m.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a protobuf message", m)
	}
	return protojson.Marshal(msg)
}

func (strictJSON) Unmarshal(data []byte, m any) error {
	msg, ok := m.(proto.Message)
	if !ok {
		return fmt.Errorf("%T is not a protobuf message", m)
	}
	if len(data) == 0 {
		return errors.New("an empty body is not a JSON object")
	}
	return protojson.UnmarshalOptions{}.Unmarshal(data, msg)
}

// The names Connect negotiates JSON under.
var jsonCodecs = []strictJSON{{"json"}, {"json; charset=utf-8"}}
