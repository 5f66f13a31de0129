// Package ctf reads pupils from a DfE Common Transfer File, the XML a school
// sends when a pupil moves (specification: DfE "Common transfer file (CTF)
// specification", section 4.3 XML message structure):
//
//	<CTfile>
//	  <Header> ... <DateTime>2025-07-15T10:00:00</DateTime> ... </Header>
//	  <CTFpupilData>
//	    <Pupil>
//	      <UPN/> <Surname/> <Forename/> <DOB/>
//	      <BasicDetails> <PreferredSurname/> <PreferredForename/> <Languages/> ... </BasicDetails>
//	      <LookedAfter> <InCare/> </LookedAfter>
//	      <SENhistory> <SEN> <StartDate/> <SENprovision/> </SEN> </SENhistory>
//	      <FSMhistory> <FSMinstance> <FSMstartDate/> <FSMendDate/> </FSMinstance> </FSMhistory>
//	      <Attendance> <YearData/> ... </Attendance>      (attendance.go)
//	      <StageAssessments> <KeyStage/> ... </StageAssessments>  (assessments.go)
//	      <SchoolHistory> <School/> ... </SchoolHistory>  (history.go)
//	    </Pupil>
//	  </CTFpupilData>
//	</CTfile>
//
// Only these elements are read, and Languages (languages.go); the rest of a
// CTF (contacts, addresses, other assessments) is not this service's to
// keep, and is skipped. The file is read a token at a time with
// encoding/xml, never held in memory whole. Risk factors, the first
// language and KS2 results are as at the header's DateTime. A boolean may
// be true/false or 1/0.
package ctf

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

// Fields names the elements in problems. The school is the import
// header's, and a CTF carries no enrolment dates, offset or counts.
var Fields = intake.Fields{
	UPN: "UPN", LegalSurname: "Surname", LegalForename: "Forename",
	PreferredSurname: "BasicDetails/PreferredSurname", PreferredForename: "BasicDetails/PreferredForename",
	DateOfBirth: "DOB", SchoolURN: "header.school_urn", Attendance: "Attendance/YearData",
	SchoolMoves: "SchoolHistory/School", RiskAsAt: "Header/DateTime",
}

// FieldLanguage names the first language in problems.
const FieldLanguage = "BasicDetails/Languages/Type/Language"

// maxText bounds one element's text: no field this service reads is long,
// and an unbounded one would let a file exhaust memory.
const maxText = 4096

// Reader reads pupils from a CTF.
type Reader struct {
	dec       *xml.Decoder
	schoolURN string
	asAt      time.Time
	count     int
}

// NewReader reads the CTF header; the pupils are then read by Next. Every
// pupil is put in the school with schoolURN, the school receiving the file.
func NewReader(r io.Reader, schoolURN string) (*Reader, error) {
	rd := &Reader{dec: xml.NewDecoder(r), schoolURN: schoolURN}
	path, err := rd.skipTo("CTFpupilData", func(path []string, text string) error {
		if strings.Join(path, "/") == "CTfile/Header/DateTime" {
			t, err := time.Parse("2006-01-02T15:04:05", text)
			if err != nil {
				return fmt.Errorf("line %d: Header/DateTime must be like 2025-07-15T10:00:00", rd.line())
			}
			rd.asAt = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if strings.Join(path, "/") != "CTfile/CTFpupilData" {
		return nil, errors.New("not a Common Transfer File: CTfile/CTFpupilData not found")
	}
	if rd.asAt.IsZero() {
		return nil, errors.New("the CTF header has no DateTime, so its data has no date")
	}
	return rd, nil
}

func (r *Reader) line() int {
	line, _ := r.dec.InputPos()
	return line
}

// token returns the next token, turning a syntax error into one that says
// where, and io.EOF inside an element into a cut-off file.
func (r *Reader) token() (xml.Token, error) {
	tok, err := r.dec.Token()
	if err == nil {
		return tok, nil
	}
	return nil, xmlError(err)
}

// xmlError says where a syntax error is, without quoting the file; other
// errors (the upload failing) pass through.
func xmlError(err error) error {
	var serr *xml.SyntaxError
	if errors.As(err, &serr) {
		return fmt.Errorf("line %d: not well-formed XML (the file may be cut off)", serr.Line)
	}
	return err
}

// skipTo reads until the start of an element named stop, calling onText with
// the path and text of each simple element on the way. It returns the path
// of the element found.
func (r *Reader) skipTo(stop string, onText func(path []string, text string) error) ([]string, error) {
	var path []string
	var text strings.Builder
	for {
		tok, err := r.token()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file ends before CTFpupilData")
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			text.Reset()
			if t.Name.Local == stop {
				return path, nil
			}
		case xml.CharData:
			if text.Len()+len(t) > maxText {
				return nil, fmt.Errorf("line %d: an element's text is too long", r.line())
			}
			text.Write(t)
		case xml.EndElement:
			if err := onText(path, strings.TrimSpace(text.String())); err != nil {
				return nil, err
			}
			text.Reset()
			path = path[:len(path)-1]
		}
	}
}

// Next returns the next pupil, or io.EOF after the last.
func (r *Reader) Next() (intake.Row, error) {
	for {
		tok, err := r.token()
		if errors.Is(err, io.EOF) {
			return intake.Row{}, errors.New("the file ends inside CTFpupilData (it may be cut off)")
		}
		if err != nil {
			return intake.Row{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "Pupil" {
				r.count++
				return r.pupil()
			}
			if err := r.dec.Skip(); err != nil {
				return intake.Row{}, xmlError(err)
			}
		case xml.EndElement:
			// </CTFpupilData>: the rest of the file is not read, but it
			// must be there, or the file was cut off.
			if err := r.finish(); err != nil {
				return intake.Row{}, err
			}
			return intake.Row{}, io.EOF
		}
	}
}

func (r *Reader) finish() error {
	for {
		_, err := r.token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// pupil reads one <Pupil> element, whose start has been read.
func (r *Reader) pupil() (intake.Row, error) {
	row := intake.Row{Location: fmt.Sprintf("Pupil %d (line %d)", r.count, r.line())}
	v := values{}
	var path []string
	var text strings.Builder
	for {
		tok, err := r.token()
		if errors.Is(err, io.EOF) {
			return intake.Row{}, fmt.Errorf("the file ends inside %s (it may be cut off)", row.Location)
		}
		if err != nil {
			return intake.Row{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			text.Reset()
			v.start(strings.Join(path, "/"))
		case xml.CharData:
			if text.Len()+len(t) > maxText {
				return intake.Row{}, fmt.Errorf("line %d: an element's text is too long", r.line())
			}
			text.Write(t)
		case xml.EndElement:
			if len(path) == 0 { // </Pupil>
				r.build(&row, v)
				return row, nil
			}
			v.set(strings.Join(path, "/"), strings.TrimSpace(text.String()))
			text.Reset()
			path = path[:len(path)-1]
		}
	}
}

// values collects the elements of one pupil that matter here.
type values struct {
	simple map[string]string
	// The latest SEN record, and the latest end of an FSM instance ("" while
	// one is open).
	sen, senStart       string
	curSEN, curSENStart string
	fsmLastEnd          string
	fsmOpen             bool
	fsmStart, fsmEnd    string
	attendance          attendance
	languages           languages
	history             schoolHistory
	assessments         assessments
}

func (v *values) start(path string) {
	switch path {
	case "SENhistory/SEN":
		v.curSEN, v.curSENStart = "", ""
	case "FSMhistory/FSMinstance":
		v.fsmStart, v.fsmEnd = "", ""
	}
	v.attendance.start(path)
	v.languages.start(path)
	v.history.start(path)
	v.assessments.start(path)
}

func (v *values) set(path, text string) {
	if v.simple == nil {
		v.simple = map[string]string{}
	}
	if v.attendance.set(path, text) || v.languages.set(path, text) || v.history.set(path, text) || v.assessments.set(path, text) {
		return
	}
	switch path {
	case "SENhistory/SEN/SENprovision":
		v.curSEN = text
	case "SENhistory/SEN/StartDate":
		v.curSENStart = text
	case "SENhistory/SEN":
		// ISO dates compare as strings; the latest record wins.
		if v.sen == "" || v.curSENStart >= v.senStart {
			v.sen, v.senStart = v.curSEN, v.curSENStart
		}
	case "FSMhistory/FSMinstance/FSMstartDate":
		v.fsmStart = text
	case "FSMhistory/FSMinstance/FSMendDate":
		v.fsmEnd = text
	case "FSMhistory/FSMinstance":
		v.fsmOpen = v.fsmOpen || (v.fsmStart != "" && v.fsmEnd == "")
		if v.fsmStart != "" && v.fsmEnd > v.fsmLastEnd {
			v.fsmLastEnd = v.fsmEnd
		}
		v.simple["fsm"] = "seen"
	default:
		v.simple[path] = text
	}
}

func (r *Reader) build(row *intake.Row, v values) {
	rec := &row.Record
	rec.UPN = v.simple["UPN"]
	rec.LegalSurname = v.simple["Surname"]
	rec.LegalForename = v.simple["Forename"]
	rec.PreferredSurname = v.simple["BasicDetails/PreferredSurname"]
	rec.PreferredForename = v.simple["BasicDetails/PreferredForename"]
	rec.SchoolURN = r.schoolURN
	if s := v.simple["DOB"]; s == "" {
		row.Reject("DOB", "date.required", "is required")
	} else if d, ok := intake.ParseDate(s); ok {
		rec.DateOfBirth = d
	} else {
		row.Reject("DOB", "date.format", "must be a date like 2012-05-01")
	}
	f := &rec.Risk
	if s, ok := v.simple["LookedAfter/InCare"]; ok {
		in, valid := intake.ParseBool(s)
		if !valid {
			row.Reject("LookedAfter/InCare", "flag.enum", "must be true or false (or 1 or 0)")
		}
		care := risk.CareNone
		if in {
			care = risk.CareLookedAfter
		}
		f.Care = &risk.CareStatus{Value: care, AsAt: r.asAt}
	}
	if v.sen != "" {
		if s, ok := intake.ParseSEN(v.sen); ok {
			f.SEN = &risk.SENStatus{Value: s, AsAt: r.asAt}
		} else {
			row.Reject("SENhistory/SEN/SENprovision", "sen_status.enum", "must be N, K or E")
		}
	}
	if v.simple["fsm"] != "" {
		// Eligible at any time in the six years to the file's date (FSM6),
		// as the Pupil Premium counts disadvantage: an open instance, or
		// one that ended within them. ISO dates compare as strings.
		since := r.asAt.AddDate(-6, 0, 0).Format(time.DateOnly)
		f.FreeSchoolMeals = &risk.Flag{Value: v.fsmOpen || v.fsmLastEnd >= since, AsAt: r.asAt}
	}
	v.attendance.build(row, r.asAt)
	v.languages.build(row, r.asAt)
	v.history.build(row, r.asAt)
	v.assessments.build(row, r.asAt)
	row.Check(Fields)
}
