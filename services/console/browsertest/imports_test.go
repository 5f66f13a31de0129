package browsertest

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// importCSV is four invented pupils of school A: two good rows, one UPN
// whose check letter is wrong and one impossible date of birth.
const importCSV = `upn,legal_surname,legal_forename,date_of_birth,school_urn
L336400125001,Testperson,Ada,2013-09-01,100001
A336400125002,Samplename,Bo,2014-08-31,100001
B336400125003,Wrongcheck,Cy,2014-01-15,100001
P336400125003,Madeup,Di,2014-13-01,100001
`

// TestImportPupils: a caseworker uploads a CSV file, reads the row-level
// report and downloads it; importing the same file again changes nothing;
// the form without a file names the field.
func TestImportPupils(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.pupils.School(t, schoolA)
	file := filepath.Join(t.TempDir(), "pupils.csv")
	if err := os.WriteFile(file, []byte(importCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	b.signIn(caseworker)

	b.open("/imports")
	b.checkAccessible("imports")
	if status := b.submit("#upload"); status != http.StatusBadRequest {
		t.Errorf("no file: %d", status)
	}
	if got := b.text(".govuk-error-summary a[href='#file']"); got != "Select a file to upload" {
		t.Errorf("error summary: %q", got)
	}
	b.checkAccessible("imports with errors")
	// A CTF needs the school receiving the pupils.
	b.run(chromedp.Click("#format-2", chromedp.ByID), chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByID))
	if status := b.submit("#upload"); status != http.StatusBadRequest {
		t.Errorf("a CTF without a school: %d", status)
	}
	if got := b.text(".govuk-error-summary a[href='#school']"); !strings.Contains(got, "URN of the school receiving") {
		t.Errorf("error summary: %q", got)
	}
	b.run(chromedp.Click("#format", chromedp.ByID))

	b.run(chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByID))
	b.submit("#upload")
	if b.path() != "/imports/report" {
		t.Fatalf("after the upload at %s", b.path())
	}
	for sel, want := range map[string]string{"#import-rows": "4", "#import-inserted": "2", "#import-rejected": "2"} {
		if got := b.text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := b.text("#rejections"); !strings.Contains(got, "line 4") || !strings.Contains(got, "upn") || !strings.Contains(got, "date_of_birth") {
		t.Errorf("rejections: %q", got)
	}
	if strings.Contains(b.text("main"), "Wrongcheck") {
		t.Error("the report echoes a value from the file")
	}
	b.checkAccessible("import report")

	res, body := b.fetch(http.MethodGet, "/imports/report.csv", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="import-report-`) {
		t.Errorf("report CSV: %d %v", res.StatusCode, res.Header)
	}
	if lines := strings.Split(strings.TrimSpace(body), "\n"); len(lines) != 3 || lines[0] != "location,field,rule_id,reason" {
		t.Errorf("report CSV: %q", body)
	}

	// The same file again: nothing new.
	b.open("/imports")
	b.run(chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByID))
	b.submit("#upload")
	if got := b.text("#import-inserted"); got != "0" {
		t.Errorf("inserted on the second import: %q", got)
	}

	// A file posted anywhere else is not read: its form token is not seen,
	// so the post is refused.
	token := b.value("form[action='/sign-out'] input[name=csrf_token]")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", token)
	_ = mw.WriteField("task", "x:1")
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, s.ConsoleURL+"/queue/assign", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, c := range b.cookies() {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a multipart post to /queue/assign: %d, want 403", res.StatusCode)
	}
}

// TestImportShowsProgress: with JavaScript, a large file over a slow
// connection says how far its upload has got, then that the rows are being
// checked, and lands on the report; the progress is accessible.
func TestImportShowsProgress(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.pupils.School(t, schoolA)
	// 3,000 rows with an impossible date of birth: every one is refused,
	// which is all the report needs here.
	var csv strings.Builder
	csv.WriteString("upn,legal_surname,legal_forename,date_of_birth,school_urn\n")
	for i := range 3000 {
		fmt.Fprintf(&csv, "Z33640012%04d,Testperson,Ada,2013-13-01,100001\n", i)
	}
	file := filepath.Join(t.TempDir(), "pupils.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	b.signIn(caseworker)
	b.open("/imports")
	// About 150 KB at 40 KB/s: a few seconds of upload to watch.
	b.run(chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByID),
		network.EmulateNetworkConditions(false, 0, -1, 40*1024))
	b.run(chromedp.Click("#upload", chromedp.ByID))
	seen := map[string]bool{}
	deadline := time.Now().Add(time.Minute)
	for b.path() != "/imports/report" {
		if time.Now().After(deadline) {
			t.Fatalf("no report after a minute; the status said %v", seen)
		}
		var status string
		_ = chromedp.Run(b.ctx, chromedp.Text("#upload-status", &status, chromedp.ByID, chromedp.AtLeast(0)))
		switch {
		case strings.HasPrefix(status, "Uploading the file: ") && status != "Uploading the file: 0%" && status != "Uploading the file: 100%":
			if !seen["uploading"] {
				seen["uploading"] = true
				b.checkAccessible("import uploading")
			}
		case strings.HasPrefix(status, "Uploaded."):
			seen["checking"] = true
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.run(network.EmulateNetworkConditions(false, 0, -1, -1))
	if !seen["uploading"] {
		t.Errorf("the upload's progress was never shown (saw %v)", seen)
	}
	if got := b.text("#import-rejected"); got != "3000" {
		t.Errorf("rejected rows: %q", got)
	}
}
