package hygiene_test

import (
	"maps"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

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

// FuzzText checks Text and Name against their definitions, and the
// interceptor's Check against Text. Nothing either accepts is invalid
// UTF-8 or holds a control character (but tab, line feed and carriage
// return in Text), a line or paragraph separator or a format character
// such as a direction override; Name accepts a subset of what Text does;
// text made only of visible characters and spaces is accepted by both (no
// real name is refused); and Check reports a string in any position of a
// message (a field, a repeated message's field, a map key and a map value)
// exactly when Text refuses it, with Text's rule.
func FuzzText(f *testing.F) {
	for _, s := range []string{"Ada", "\x00", "\u202e", "Zo\xeb", "a\nb", "Zoë Łukasiewicz", "محمد 山田", "\u00a0", "\u2028", "\ufeff", "\U000e0001", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		free, name := hygiene.Text(s), hygiene.Name(s)
		if free != nil && name == nil {
			t.Fatalf("%q: refused as text (%s) but allowed as a name", s, free.RuleID)
		}
		if free == nil {
			if !utf8.ValidString(s) {
				t.Fatalf("%q: accepted as text, but not UTF-8", s)
			}
			for _, r := range s {
				if (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
					t.Fatalf("%q: accepted as text, with %U", s, r)
				}
			}
		}
		if name == nil && strings.ContainsAny(s, "\t\n\r") {
			t.Fatalf("%q: accepted as a name, with a tab or line break", s)
		}
		visible := utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) < 0
		if visible && (free != nil || name != nil) {
			t.Fatalf("%q: only visible characters and spaces, refused (text %v, name %v)", s, free, name)
		}

		req := &trackingv1.SyncInterventionsRequest{
			CohortKey: s,
			Desired:   []*trackingv1.DesiredIntervention{{Summary: "fine"}, {Summary: s, Evidence: map[string]string{s: s}}},
		}
		vs := hygiene.Check(req)
		if free == nil {
			if len(vs) != 0 {
				t.Fatalf("%q: accepted as text, but Check reports %v", s, vs)
			}
			return
		}
		fields := map[string]int{}
		for _, v := range vs {
			if v.RuleID != free.RuleID {
				t.Fatalf("%q: Check reports %s on %s, Text %s", s, v.RuleID, v.Field, free.RuleID)
			}
			fields[v.Field]++
		}
		if want := map[string]int{"cohort_key": 1, "desired.summary": 1, "desired.evidence": 2}; !maps.Equal(fields, want) {
			t.Fatalf("%q: Check reports %v, want one violation in each position %v", s, fields, want)
		}
	})
}
