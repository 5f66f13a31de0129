package pagetoken_test

import (
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

type cursor struct {
	Priority int       `json:"p"`
	Due      time.Time `json:"d"`
	ID       string    `json:"i"`
}

func (c *cursor) Valid() bool { return c.ID != "" && c.Priority >= 0 && !c.Due.IsZero() }

func TestRoundTrip(t *testing.T) {
	want := cursor{Priority: 2, Due: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), ID: "7b0c"}
	var got cursor
	if err := pagetoken.Decode(pagetoken.Encode(want), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cursor (-want +got):\n%s", diff)
	}
}

func TestDecodeRefusesForeignTokens(t *testing.T) {
	for name, token := range map[string]string{
		"not base64":      "%%%",
		"not JSON":        "bm90IGpzb24",
		"wrong JSON type": pagetoken.Encode([]int{1}),
		"unknown field":   pagetoken.Encode(map[string]any{"i": "7b0c", "p": 1, "d": "2026-09-30T00:00:00Z", "x": 1}),
		"field missing":   pagetoken.Encode(map[string]any{"p": 1, "d": "2026-09-30T00:00:00Z"}),
		"not valid":       pagetoken.Encode(cursor{Priority: -1, Due: time.Now(), ID: "7b0c"}),
		"trailing data":   pagetoken.Encode(cursor{Priority: 1, Due: time.Now(), ID: "7b0c"}) + "e30",
	} {
		t.Run(name, func(t *testing.T) {
			var c cursor
			if err := pagetoken.Decode(token, &c); err == nil {
				t.Errorf("Decode(%q) succeeded", token)
			}
		})
	}
}

func TestEmptyTokenIsFirstPage(t *testing.T) {
	c := cursor{ID: "unchanged"}
	if err := pagetoken.Decode("", &c); err != nil || c.ID != "unchanged" {
		t.Errorf("Decode(\"\") = %v, cursor %+v", err, c)
	}
}

func TestForeignTokenNamesTheField(t *testing.T) {
	var c cursor
	err := pagetoken.Decode("%%%", &c)
	if diff := cmp.Diff([]string{"page_token"}, rpcerror.Fields(err)); diff != "" {
		t.Errorf("violated fields (-want +got):\n%s", diff)
	}
}

func TestSize(t *testing.T) {
	for _, tc := range []struct{ requested, want int32 }{{0, 50}, {-1, 50}, {20, 20}, {900, 500}} {
		if got := pagetoken.Size(tc.requested, 50, 500); got != int(tc.want) {
			t.Errorf("Size(%d) = %d, want %d", tc.requested, got, tc.want)
		}
	}
}

// FuzzDecode feeds Decode arbitrary tokens. It must never panic; a token
// it refuses is InvalidArgument naming page_token alone, so the handlers
// can return it as it is; a token it accepts holds a valid cursor, which
// Encode turns back into a token that decodes to the same cursor.
func FuzzDecode(f *testing.F) {
	f.Add(pagetoken.Encode(cursor{Priority: 2, Due: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), ID: "7b0c"}))
	f.Add("")
	f.Add("%%%")
	f.Add(pagetoken.Encode(map[string]any{"i": 7}))
	f.Add(pagetoken.Encode(map[string]any{"i": "7b0c", "p": 1e300, "d": "9999-12-31T23:59:59+14:00"}))
	f.Add(pagetoken.Encode(map[string]any{"i": "7b0c\u0000\u202e", "p": 1, "d": "2026-09-30T00:00:00Z", "P": 2}))
	f.Add(pagetoken.Encode(cursor{Priority: 1, Due: time.Now(), ID: "x"}) + "=")
	f.Fuzz(func(t *testing.T, token string) {
		var c cursor
		err := pagetoken.Decode(token, &c)
		if err != nil {
			if connect.CodeOf(err) != connect.CodeInvalidArgument || !slices.Equal(rpcerror.Fields(err), []string{"page_token"}) {
				t.Fatalf("Decode(%q) refused with %v, fields %q, not InvalidArgument on page_token", token, err, rpcerror.Fields(err))
			}
			return
		}
		if token == "" {
			return
		}
		if !c.Valid() {
			t.Fatalf("Decode(%q) accepted an invalid cursor %+v", token, c)
		}
		var again cursor
		if err := pagetoken.Decode(pagetoken.Encode(c), &again); err != nil {
			t.Fatalf("Decode(%q) accepted %+v, whose own token is refused: %v", token, c, err)
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Fatalf("Decode(%q): the cursor changes on a round trip (-first +again):\n%s", token, diff)
		}
	})
}
