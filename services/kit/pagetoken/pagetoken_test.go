package pagetoken_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
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
