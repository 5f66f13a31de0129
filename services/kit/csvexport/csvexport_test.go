package csvexport_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/csvexport"
)

func TestFormulaCellsAreNeutralised(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+44 1902 000000":          "'+44 1902 000000",
		"-2+3":                     "'-2+3",
		"@SUM(A1:A2)":              "'@SUM(A1:A2)",
		"\t=1":                     "'\t=1",
		"\r=1":                     "'\r=1",
		"school return":            "school return",
		"":                         "",
		"a=b":                      "a=b",
	}
	for in, want := range cases {
		if got := csvexport.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterRoundTripsAsText(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf)
	if err := w.Write([]string{"=1+1", "plain, with a comma", "\"quoted\""}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"'=1+1", "plain, with a comma", "\"quoted\""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
