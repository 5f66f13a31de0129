package pagetoken_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

type cursor struct {
	Priority int       `json:"p"`
	Due      time.Time `json:"d"`
	ID       string    `json:"i"`
}

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
