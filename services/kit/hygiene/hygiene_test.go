package hygiene_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/hygiene"
)

func TestText(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		text       string
		free, name string // rule ids; "" when allowed
	}{
		"plain":                  {text: "O'Brien-Smith"},
		"accents":                {text: "Zoë Łukasiewicz"},
		"other scripts":          {text: "محمد 山田"},
		"emoji":                  {text: "great work 👍"},
		"newline in a note":      {text: "called\nno answer", name: hygiene.RuleControl},
		"tab":                    {text: "a\tb", name: hygiene.RuleControl},
		"NUL":                    {text: "Ada\x00", free: hygiene.RuleControl, name: hygiene.RuleControl},
		"bell":                   {text: "\a", free: hygiene.RuleControl, name: hygiene.RuleControl},
		"DEL":                    {text: "a\x7f", free: hygiene.RuleControl, name: hygiene.RuleControl},
		"C1 control":             {text: "a\u0085", free: hygiene.RuleControl, name: hygiene.RuleControl},
		"line separator":         {text: "a\u2028b", free: hygiene.RuleControl, name: hygiene.RuleControl},
		"right-to-left override": {text: "Ada\u202eecnavol", free: hygiene.RuleInvisible, name: hygiene.RuleInvisible},
		"left-to-right isolate":  {text: "\u2066Ada", free: hygiene.RuleInvisible, name: hygiene.RuleInvisible},
		"zero-width space":       {text: "Ad\u200ba", free: hygiene.RuleInvisible, name: hygiene.RuleInvisible},
		"zero-width joiner":      {text: "Ad\u200da", free: hygiene.RuleInvisible, name: hygiene.RuleInvisible},
		"byte-order mark":        {text: "\ufeffAda", free: hygiene.RuleInvisible, name: hygiene.RuleInvisible},
		"Latin-1 bytes":          {text: "Zo\xeb", free: hygiene.RuleUTF8, name: hygiene.RuleUTF8},
	}
	rule := func(p *hygiene.Problem) string {
		if p == nil {
			return ""
		}
		return p.RuleID
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := rule(hygiene.Text(tc.text)); got != tc.free {
				t.Errorf("Text = %q, want %q", got, tc.free)
			}
			if got := rule(hygiene.Name(tc.text)); got != tc.name {
				t.Errorf("Name = %q, want %q", got, tc.name)
			}
		})
	}
}

func TestCheckNamesEveryField(t *testing.T) {
	t.Parallel()
	req := &trackingv1.SyncInterventionsRequest{
		CohortKey: "ns/cohort\x00",
		Desired: []*trackingv1.DesiredIntervention{
			{Summary: "fine"},
			{Summary: "bad\u202e", Evidence: map[string]string{"days\u200b": "1", "ok": "\x01"}},
		},
	}
	// An unknown field, as a binary client with a newer contract sends it.
	req.ProtoReflect().SetUnknown(protowire.AppendTag(nil, 99, protowire.VarintType))
	req.ProtoReflect().SetUnknown(protowire.AppendVarint(req.ProtoReflect().GetUnknown(), 1))

	var got []string
	for _, v := range hygiene.Check(req) {
		got = append(got, v.Field+" "+v.RuleID+" "+v.Message)
	}
	want := []string{
		"cohort_key text.control contains a control character",
		"desired.evidence text.invisible item 2: a key: contains an invisible formatting character (such as a direction override or a zero-width space)",
		"desired.evidence text.control item 2: a value: contains a control character",
		"desired.summary text.invisible item 2: contains an invisible formatting character (such as a direction override or a zero-width space)",
		"request fields.known carries a field the contract does not define",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"Ada", "\x00", "\u202e", "Zo\xeb", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		free, name := hygiene.Text(s), hygiene.Name(s)
		if free != nil && name == nil {
			t.Fatalf("%q: refused as text (%s) but allowed as a name", s, free.RuleID)
		}
	})
}
