package servicetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

// JSONFuzz posts JSON bodies, as curl would, to one Connect service's unary
// methods, for a fuzz target whose inputs are (method, who, body); see
// Check for what it asserts.
type JSONFuzz struct {
	url          string
	service      protoreflect.ServiceDescriptor
	methods      []protoreflect.MethodDescriptor
	placeholders *strings.Replacer
}

// NewJSONFuzz fuzzes the service served at url. placeholders are replaced
// in every body, so seeds can name the ids of fixtures made at setup.
func NewJSONFuzz(url string, service protoreflect.ServiceDescriptor, placeholders *strings.Replacer) *JSONFuzz {
	z := &JSONFuzz{url: url, service: service, placeholders: placeholders}
	for i := range service.Methods().Len() {
		if m := service.Methods().Get(i); !m.IsStreamingClient() && !m.IsStreamingServer() {
			z.methods = append(z.methods, m)
		}
	}
	return z
}

// method is the unary method called name, or one picked by the name's hash.
func (z *JSONFuzz) method(name string) protoreflect.MethodDescriptor {
	for _, m := range z.methods {
		if string(m.Name()) == name {
			return m
		}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return z.methods[h.Sum32()%uint32(len(z.methods))]
}

// callers are the test principals in the order the fuzz input's index
// picks them: the widest scopes first, so that seeds (index 0) succeed.
var callers = []string{HubAdmin, Service, Caseworker, CareersLeader,
	Analyst, OtherLeader, OtherHubAdmin, OtherCaseworker}

// caller is the token of the who'th principal m's policy allows.
func caller(m protoreflect.MethodDescriptor, who uint8) string {
	roles := auth.Policy(m).GetRoles()
	var allowed []string
	for _, token := range callers {
		if slices.Contains(roles, Principals[token].Role) {
			allowed = append(allowed, token)
		}
	}
	return allowed[int(who)%len(allowed)]
}

// As is the index that picks the principal with token for method.
func (z *JSONFuzz) As(method, token string) uint8 {
	m := z.method(method)
	for who := range uint8(len(callers)) {
		if caller(m, who) == token {
			return who
		}
	}
	panic(token + " may not call " + method)
}

// refusals are the Connect codes that tell a client its request was wrong
// or cannot be done now: the answers a malformed request may get.
var refusals = map[string]bool{
	"invalid_argument": true, "not_found": true, "permission_denied": true, "failed_precondition": true,
	"already_exists": true, "aborted": true, "unauthenticated": true, "out_of_range": true,
}

// Check posts body to the method (by name; an unknown name picks one by
// its hash) as the who'th principal its policy allows, and fails unless
// the answer is the method's response message or a refusal a client can
// act on: never a 5xx, internal or unknown, never a dropped connection (a
// handler that panicked).
func (z *JSONFuzz) Check(t *testing.T, method string, who uint8, body []byte) {
	m := z.method(method)
	token := caller(m, who)
	body = []byte(z.placeholders.Replace(string(body)))
	procedure := "/" + string(z.service.FullName()) + "/" + string(m.Name())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, z.url+procedure, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", Bearer(token))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s as %s, body %q: no answer (did the handler panic?): %v", procedure, token, body, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s as %s, body %q: answer cut off (did the handler panic?): %v", procedure, token, body, err)
	}
	if res.StatusCode == http.StatusOK {
		mt, err := protoregistry.GlobalTypes.FindMessageByName(m.Output().FullName())
		if err != nil {
			t.Fatal(err)
		}
		if err := protojson.Unmarshal(data, mt.New().Interface()); err != nil {
			t.Fatalf("%s as %s, body %q: answered 200 with %q, not a %s: %v", procedure, token, body, data, m.Output().FullName(), err)
		}
		return
	}
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("%s as %s, body %q: answered HTTP %d with %q, not a Connect error", procedure, token, body, res.StatusCode, data)
	}
	if res.StatusCode >= 500 || !refusals[e.Code] {
		t.Fatalf("%s as %s, body %q: answered HTTP %d, code %s: %s", procedure, token, body, res.StatusCode, e.Code, e.Message)
	}
}

// OddBodies are bodies no client means to send.
var OddBodies = []string{"", "{}", "null", "[]", `"x"`, "{", `{"id":`, "\x00", `{"id":"\u0000"}`, "\xff\xfe{}",
	`{"id":"a","id":"b"}`, `{"unknownField":1}`, `{"id":1e999}`, strings.Repeat("[", 10000), `{"id":"` + strings.Repeat("9", 100000) + `"}`}

// NearValid returns body and, for each of its values, copies of body with
// that value replaced by something a careless or hostile client might send:
// NUL bytes, direction overrides, a wrong type, huge numbers, dates at the
// edges of the calendar.
func NearValid(body string) []string {
	out := []string{body, body[:len(body)/2], body + "{}", strings.Replace(body, "{", `{"unknownField":true,`, 1)}
	doc := decode(body)
	var paths [][]any
	var walk func(v any, path []any)
	walk = func(v any, path []any) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(v[k], append(slices.Clone(path), k))
			}
		case []any:
			for i, item := range v {
				walk(item, append(slices.Clone(path), i))
			}
		}
		paths = append(paths, path)
	}
	walk(doc, nil)
	for _, path := range paths {
		for _, r := range replacements(get(doc, path)) {
			d := decode(body)
			if len(path) == 0 {
				d = r
			} else {
				set(d, path, r)
			}
			b, err := json.Marshal(d)
			if err != nil {
				panic(err)
			}
			out = append(out, string(b))
		}
	}
	return out
}

func replacements(v any) []any {
	switch v := v.(type) {
	case string:
		if len(v) == len("2025-09-01") && v[4] == '-' {
			return []any{"9999-12-31", "2025-02-30", v + "\x00"}
		}
		if len(v) == 36 && v[8] == '-' && v[23] == '-' || strings.HasPrefix(v, "$") {
			// A UUID (or a placeholder for one): other forms and near misses.
			return []any{v + "\x00", strings.ToUpper(v), "00000000-0000-0000-0000-000000000000", strings.Repeat("-", 36), strings.Repeat("f", 36)}
		}
		return []any{v + "\x00", "\u202e" + v, 12}
	case json.Number:
		return []any{json.Number("-1"), json.Number("9223372036854775808"), json.Number("1e400"), "9223372036854775807"}
	case bool:
		return []any{"true"}
	case []any:
		return []any{[]any{}, append(slices.Clone(v), v...)}
	case map[string]any:
		return []any{"x"}
	}
	return nil
}

func decode(body string) any {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic(fmt.Sprintf("seed %s: %v", body, err))
	}
	return v
}

func get(v any, path []any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = v.(map[string]any)[p]
		case int:
			v = v.([]any)[p]
		}
	}
	return v
}

func set(v any, path []any, to any) {
	parent := get(v, path[:len(path)-1])
	switch p := path[len(path)-1].(type) {
	case string:
		parent.(map[string]any)[p] = to
	case int:
		parent.([]any)[p] = to
	}
}
