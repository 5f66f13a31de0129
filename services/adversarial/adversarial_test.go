package adversarial_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	authv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/auth/v1"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
)

// services are the contracts, each with where its service runs in a world.
var services = []struct {
	desc protoreflect.ServiceDescriptor
	url  func(*world) string
}{
	{pupilv1.File_nextstep_pupil_v1_pupil_proto.Services().Get(0), func(w *world) string { return w.pupilURL }},
	{placementv1.File_nextstep_placement_v1_placement_proto.Services().Get(0), func(w *world) string { return w.placementURL }},
	{trackingv1.File_nextstep_tracking_v1_tracking_proto.Services().Get(0), func(w *world) string { return w.trackingURL }},
}

// rpc is one method of the contracts.
type rpc struct {
	method protoreflect.MethodDescriptor
	url    func(*world) string
}

func (r rpc) name() string { return string(r.method.FullName()) }

// write reports whether the method changes anything: it is not declared
// free of side effects.
func (r rpc) write() bool {
	opts, _ := r.method.Options().(*descriptorpb.MethodOptions)
	return opts.GetIdempotencyLevel() != descriptorpb.MethodOptions_NO_SIDE_EFFECTS
}

// caller is a token of a role the method's access policy allows.
func (r rpc) caller() string {
	roles := auth.Policy(r.method).GetRoles()
	for _, c := range []struct {
		role  authv1.Role
		token string
	}{{auth.RoleHubAdmin, servicetest.HubAdmin}, {auth.RoleService, servicetest.Service}, {auth.RoleCaseworker, servicetest.Caseworker},
		{auth.RoleCareersLeader, servicetest.CareersLeader}, {auth.RoleAnalyst, servicetest.Analyst}} {
		if slices.Contains(roles, c.role) {
			return c.token
		}
	}
	return ""
}

// rpcs are every method of every service, from the contracts.
func rpcs() []rpc {
	var out []rpc
	for _, s := range services {
		methods := s.desc.Methods()
		for i := range methods.Len() {
			out = append(out, rpc{method: methods.Get(i), url: s.url})
		}
	}
	return out
}

// TestEveryWriteRPCIsAttacked fails for a write RPC the suite does not
// attack, for a kind of attack neither tried nor explained for it, and for
// attacks on RPCs the contracts no longer have.
func TestEveryWriteRPCIsAttacked(t *testing.T) {
	t.Parallel()
	targets := writes()
	seen := map[string]bool{}
	for _, r := range rpcs() {
		if !r.write() {
			continue
		}
		seen[r.name()] = true
		target, ok := targets[r.name()]
		if !ok {
			t.Errorf("%s changes data and has no attacks in writes()", r.name())
			continue
		}
		for _, k := range kinds {
			tried := slices.ContainsFunc(target.attacks, func(a attack) bool { return a.kind == k })
			why := target.notApplicable[k]
			switch {
			case !tried && why == "":
				t.Errorf("%s: no attack of kind %q, and no reason it does not apply", r.name(), k)
			case tried && why != "":
				t.Errorf("%s: attacks of kind %q are tried, yet said not to apply", r.name(), k)
			}
		}
	}
	for name := range targets {
		if !seen[name] {
			t.Errorf("writes() attacks %s, which is not a write RPC of the contracts", name)
		}
	}
}

// TestWriteAttacks makes every attack on one seeded world, one at a time,
// and checks each is refused and changes nothing.
func TestWriteAttacks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	targets := writes()
	names := make([]string, 0, len(targets))
	for name := range targets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, a := range targets[name].attacks {
			t.Run(name[strings.LastIndex(name, ".")+1:]+"/"+a.name, func(t *testing.T) {
				prep := ""
				if a.setup != nil {
					var err error
					if prep, err = a.setup(ctx, w); err != nil {
						t.Fatalf("setup: %v", err)
					}
				}
				before := w.state(t)
				err := a.do(ctx, w, prep)
				switch {
				case a.want == 0 && err != nil:
					t.Errorf("err = %v, want the call to answer with each row refused", err)
				case a.want != 0 && connect.CodeOf(err) != a.want:
					t.Errorf("code = %v, want %v (err %v)", connect.CodeOf(err), a.want, err)
				case a.reason != 0 && rpcerror.Reason(err) != a.reason:
					t.Errorf("reason = %q, want %q (err %v)", rpcerror.Reason(err), a.reason, err)
				}
				if diff := changed(before, w.state(t)); diff != "" {
					t.Errorf("a refused call changed data: %s", diff)
				}
			})
		}
	}
}

// stringPaths are the paths to every string field of a message, down to
// depth levels of nesting: repeated fields and maps included.
func stringPaths(md protoreflect.MessageDescriptor, depth int) [][]protoreflect.FieldDescriptor {
	var out [][]protoreflect.FieldDescriptor
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.IsMap():
			if fd.MapKey().Kind() == protoreflect.StringKind || fd.MapValue().Kind() == protoreflect.StringKind {
				out = append(out, []protoreflect.FieldDescriptor{fd})
			}
		case fd.Kind() == protoreflect.StringKind:
			out = append(out, []protoreflect.FieldDescriptor{fd})
		case fd.Kind() == protoreflect.MessageKind && depth > 0 && !strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf."):
			for _, p := range stringPaths(fd.Message(), depth-1) {
				out = append(out, append([]protoreflect.FieldDescriptor{fd}, p...))
			}
		}
	}
	return out
}

// poisoned is a request with value at path (in a map, as both a key and a
// value), and nothing else set.
func poisoned(md protoreflect.MessageDescriptor, path []protoreflect.FieldDescriptor, value string) proto.Message {
	root := dynamicpb.NewMessage(md)
	m := protoreflect.Message(root)
	for i, fd := range path {
		last := i == len(path)-1
		switch {
		case fd.IsMap():
			m.Mutable(fd).Map().Set(protoreflect.ValueOfString(value).MapKey(), protoreflect.ValueOfString(value))
		case fd.IsList() && last:
			m.Mutable(fd).List().Append(protoreflect.ValueOfString(value))
		case fd.IsList():
			list := m.Mutable(fd).List()
			elem := list.NewElement()
			list.Append(elem)
			m = elem.Message()
		case last:
			m.Set(fd, protoreflect.ValueOfString(value))
		default:
			m = m.Mutable(fd).Message()
		}
	}
	return root
}

func dotted(path []protoreflect.FieldDescriptor) string {
	names := make([]string, len(path))
	for i, fd := range path {
		names[i] = string(fd.Name())
	}
	return strings.Join(names, ".")
}

// TestEveryStringFieldRefusesControlAndInvisibleCharacters sends every
// string field of every RPC's request with a NUL byte, and with a
// right-to-left override, and expects InvalidArgument naming that field,
// before any handler runs.
func TestEveryStringFieldRefusesControlAndInvisibleCharacters(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, r := range rpcs() {
		for _, path := range stringPaths(r.method.Input(), 3) {
			for _, bad := range []string{"a\x00b", "a\u202eb"} {
				t.Run(fmt.Sprintf("%s/%s/%q", r.method.Name(), dotted(path), bad), func(t *testing.T) {
					before := w.state(t)
					err := call(ctx, r.url(w), r.method, r.caller(), poisoned(r.method.Input(), path, bad))
					if connect.CodeOf(err) != connect.CodeInvalidArgument {
						t.Fatalf("code = %v, want invalid_argument (err %v)", connect.CodeOf(err), err)
					}
					if !slices.Contains(rpcerror.Fields(err), dotted(path)) {
						t.Errorf("violations name %q, want %q", rpcerror.Fields(err), dotted(path))
					}
					if diff := changed(before, w.state(t)); diff != "" {
						t.Errorf("changed data: %s", diff)
					}
				})
			}
		}
	}
}

// TestUnknownFieldsAndEnumNamesAreRefused: a field the contract does not
// define, in binary (every RPC, streams included) or in JSON (every unary
// RPC), and an enumeration value it does not define, are refused rather
// than dropped.
func TestUnknownFieldsAndEnumNamesAreRefused(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, r := range rpcs() {
		t.Run(string(r.method.Name())+"/binary", func(t *testing.T) {
			msg := dynamicpb.NewMessage(r.method.Input())
			msg.SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 999, protowire.VarintType), 1))
			err := call(ctx, r.url(w), r.method, r.caller(), msg)
			if connect.CodeOf(err) != connect.CodeInvalidArgument || !slices.Contains(rpcerror.Fields(err), "request") {
				t.Errorf("err = %v, want invalid_argument naming the request", err)
			}
		})
		if r.method.IsStreamingClient() || r.method.IsStreamingServer() {
			continue
		}
		procedure := fmt.Sprintf("/%s/%s", r.method.Parent().FullName(), r.method.Name())
		t.Run(string(r.method.Name())+"/json", func(t *testing.T) {
			err := postJSON(ctx, r.url(w), procedure, r.caller(), `{"noSuchField": 1}`)
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("err = %v, want invalid_argument", err)
			}
		})
		fields := r.method.Input().Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			if fd.Kind() != protoreflect.EnumKind {
				continue
			}
			t.Run(string(r.method.Name())+"/enum/"+string(fd.Name()), func(t *testing.T) {
				body := fmt.Sprintf(`{%q: "NO_SUCH_VALUE"}`, fd.JSONName())
				if fd.IsList() {
					body = fmt.Sprintf(`{%q: ["NO_SUCH_VALUE"]}`, fd.JSONName())
				}
				err := postJSON(ctx, r.url(w), procedure, r.caller(), body)
				if connect.CodeOf(err) != connect.CodeInvalidArgument {
					t.Errorf("err = %v, want invalid_argument", err)
				}
			})
		}
	}
}

// listRequests are valid requests of every list RPC, but for the page
// token, so that a forged token is the only thing wrong with them.
func listRequests(w *world) map[string]proto.Message {
	return map[string]proto.Message{
		"nextstep.pupil.v1.PupilService.ListSchools":               &pupilv1.ListSchoolsRequest{},
		"nextstep.pupil.v1.PupilService.ListCohortPupils":          &pupilv1.ListCohortPupilsRequest{SchoolUrn: schoolA, YearGroup: 9, AcademicYear: "2025/26"},
		"nextstep.pupil.v1.PupilService.ListResidenceTransfers":    &pupilv1.ListResidenceTransfersRequest{LaCode: pupiltest.Schools[schoolA], Since: "2020-01-01"},
		"nextstep.placement.v1.PlacementService.ListEmployers":     &placementv1.ListEmployersRequest{},
		"nextstep.placement.v1.PlacementService.ListOpportunities": &placementv1.ListOpportunitiesRequest{},
		"nextstep.placement.v1.PlacementService.ListBookings":      &placementv1.ListBookingsRequest{Of: &placementv1.ListBookingsRequest_OpportunityId{OpportunityId: w.opportunity.GetId()}},
		"nextstep.tracking.v1.TrackingService.ListDestinations":    &trackingv1.ListDestinationsRequest{PupilId: w.pupils[schoolA].GetId()},
		"nextstep.tracking.v1.TrackingService.ListTasks":           &trackingv1.ListTasksRequest{},
		"nextstep.tracking.v1.TrackingService.ListAuditEvents":     &trackingv1.ListAuditEventsRequest{},
	}
}

// forgedTokens decode as base64, and most as JSON, but hold nothing a
// service issued: wrong types, ids that are not UUIDs, dates PostgreSQL
// cannot hold, unknown fields.
var forgedTokens = func() []string {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return []string{
		"%%%",
		enc(`not json`),
		enc(`[1,2,3]`),
		enc(`{"a":"'; DROP TABLE pupil.pupils; --"}`),
		enc(`{"i":"x","c":"2026-01-01T00:00:00Z","s":"2026-01-01T00:00:00Z","r":"2026-01-01T00:00:00Z","n":"A","d":"2026-01-01T00:00:00Z"}`),
		enc(`{"i":12.5}`),
		enc(`{"i":"00000000-0000-4000-8000-000000000000","r":99,"d":"2026-01-01T00:00:00Z"}`),
		enc(`{"i":"00000000-0000-4000-8000-000000000000","c":"99999-01-01T00:00:00Z"}`),
		enc(`{"i":-1}`),
		enc(`{"a":"100001","x":1}`),
	}
}()

// TestForgedPageTokensAreRefused sends every list RPC forged page tokens:
// each is InvalidArgument on page_token, never a failure in PostgreSQL.
func TestForgedPageTokensAreRefused(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	bases := listRequests(w)
	for _, r := range rpcs() {
		if r.method.Input().Fields().ByName("page_token") == nil {
			continue
		}
		base, ok := bases[r.name()]
		if !ok {
			t.Errorf("%s takes a page token and has no request in listRequests", r.name())
			continue
		}
		if err := call(ctx, r.url(w), r.method, r.caller(), base); err != nil {
			t.Errorf("%s: the base request fails: %v", r.name(), err)
			continue
		}
		for i, token := range forgedTokens {
			t.Run(fmt.Sprintf("%s/%d", r.method.Name(), i), func(t *testing.T) {
				req := proto.Clone(base)
				req.ProtoReflect().Set(req.ProtoReflect().Descriptor().Fields().ByName("page_token"), protoreflect.ValueOfString(token))
				err := call(ctx, r.url(w), r.method, r.caller(), req)
				if connect.CodeOf(err) != connect.CodeInvalidArgument || !slices.Equal(rpcerror.Fields(err), []string{"page_token"}) {
					t.Errorf("err = %v (fields %q), want invalid_argument on page_token", err, rpcerror.Fields(err))
				}
			})
		}
	}
}
