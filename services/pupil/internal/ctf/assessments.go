package ctf

import (
	"strconv"
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
)

// assessments reads the pupil's KS2 test results, the prior attainment the
// evidence on NEET risk puts first, from StageAssessments:
//
//	<StageAssessments>
//	  <KeyStage>
//	    <Stage>KS2</Stage>
//	    <StageAssessment> <Locale/> <Year/> <Subject/> <Method/> <Component/> <ResultStatus/> <ResultQualifier/> <Result/> </StageAssessment>
//	  </KeyStage>
//	</StageAssessments>
//
// Element names as DfE's own CTF writer uses them
// (DFE-Digital/get-information-about-pupils, XmlCtfFormatter: StageAssessments,
// KeyStage, Stage, StageAssessment, Locale, Year, Subject, Method,
// Component, ResultStatus, ResultQualifier, Result).
//
// A KS2 result that is a whole number is a test result (teacher
// assessments are codes such as EXS, WTS, PK1-PK6, HNM or A: DfE's 2024 KS2
// teacher assessment guidance, as Juniper Education's help centre tables
// it). Of those, the reading and maths scaled scores are kept, the latest
// Year's of each; one out of the 80-120 range, or a test result whose
// Subject is not a KS2 test subject below, rejects the pupil with the
// reason, and the rest of the file imports. Everything else (other key
// stages, teacher assessments, grammar, punctuation and spelling, the
// multiplication tables check) is skipped. The Stage code KS2 is as public
// CTF samples give it.
type assessments struct {
	stage   string
	cur     assessment
	pending []assessment
	reading *intake.Score
	maths   *intake.Score
	// The years of reading and maths, to keep the latest.
	readingYear, mathsYear int
	problems               []intake.Problem
}

type assessment struct{ year, subject, component, result string }

// The Subject and Component codes of the KS2 tests. The DfE CTF
// specification's code tables could not be read for this change: these
// are the codes public CTF samples give to KS2 English reading (Subject
// ENG, Component REA) and mathematics (Subject MAT, Component MAT). The
// maths score is read only under Component MAT (or none) because the
// multiplication tables check shares Subject MAT: DfE's own CTF builder
// tests write it as Stage KS2, Subject MAT, Method TT, Component MTC,
// ResultQualifier MT (DFE-Digital/get-information-about-pupils,
// CtfAdditionalPupilDataTests). Check these against the specification's
// StageAssessment code set, with its ResultQualifier codes: if a file
// carries raw marks beside scaled scores under the same codes, they must
// be told apart there. ks2TestSubjects decides which numeric results are
// refused as unknown, so it is kept to the test subjects: science is
// teacher-assessed only.
const (
	subjectEnglish   = "ENG"
	subjectMaths     = "MAT"
	componentReading = "REA"
	componentMaths   = "MAT"
)

var ks2TestSubjects = map[string]bool{subjectEnglish: true, subjectMaths: true}

// The fields assessment problems name.
const (
	fieldSubject = "StageAssessments/KeyStage/StageAssessment/Subject"
	fieldResult  = "StageAssessments/KeyStage/StageAssessment/Result"
)

func (a *assessments) start(path string) {
	switch path {
	case "StageAssessments/KeyStage":
		a.stage, a.pending = "", a.pending[:0]
	case "StageAssessments/KeyStage/StageAssessment":
		a.cur = assessment{}
	}
}

func (a *assessments) set(path, text string) bool {
	switch path {
	case "StageAssessments/KeyStage/Stage":
		a.stage = text
	case "StageAssessments/KeyStage/StageAssessment/Year":
		a.cur.year = text
	case "StageAssessments/KeyStage/StageAssessment/Subject":
		a.cur.subject = text
	case "StageAssessments/KeyStage/StageAssessment/Component":
		a.cur.component = text
	case "StageAssessments/KeyStage/StageAssessment/Result":
		a.cur.result = text
	case "StageAssessments/KeyStage/StageAssessment":
		switch {
		case a.stage == "KS2":
			a.ks2(a.cur)
		case a.stage == "" && len(a.pending) < maxPending:
			// Kept until the KeyStage ends: its Stage may come after it.
			a.pending = append(a.pending, a.cur)
		}
	case "StageAssessments/KeyStage":
		if a.stage == "KS2" {
			for _, s := range a.pending {
				a.ks2(s)
			}
		}
	default:
		return false
	}
	return true
}

// maxPending bounds the results held for a KeyStage whose Stage has not
// been read yet (it comes first in the files DfE writes), so a file cannot
// exhaust memory with them; a real key stage has a few dozen.
const maxPending = 200

// ks2 reads one KS2 result.
func (a *assessments) ks2(s assessment) {
	score, numeric := scaledScore(s.result)
	if !numeric {
		return // a teacher assessment or a status code
	}
	if !ks2TestSubjects[s.subject] {
		a.reject(fieldSubject, "assessment.subject", "a KS2 test result must be for a known test subject (ENG reading or MAT maths)")
		return
	}
	isReading := s.subject == subjectEnglish && s.component == componentReading
	isMaths := s.subject == subjectMaths && (s.component == "" || s.component == componentMaths)
	if !isReading && !isMaths {
		return // grammar, punctuation and spelling, or another maths check: not kept
	}
	if score < intake.MinKS2Score || score > intake.MaxKS2Score {
		a.reject(fieldResult, "assessment.range", "a KS2 scaled score must be from 80 to 120")
		return
	}
	year, _ := strconv.Atoi(s.year)
	dst, dstYear := &a.maths, &a.mathsYear
	if isReading {
		dst, dstYear = &a.reading, &a.readingYear
	}
	if *dst == nil || year >= *dstYear {
		*dst, *dstYear = &intake.Score{Value: score}, year
	}
}

// scaledScore reads a result that is a whole number; numeric is false for
// anything else. A number too long to be a score is still numeric, and
// out of range.
func scaledScore(s string) (score int, numeric bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1, true
	}
	return n, true
}

// reject records a problem once per rule.
func (a *assessments) reject(field, rule, reason string) {
	for _, p := range a.problems {
		if p.RuleID == rule {
			return
		}
	}
	a.problems = append(a.problems, intake.Problem{Field: field, RuleID: rule, Reason: reason})
}

func (a *assessments) build(row *intake.Row, asAt time.Time) {
	if len(a.problems) > 0 {
		row.Problems = append(row.Problems, a.problems...)
		return
	}
	if a.reading != nil {
		row.Record.KS2Reading = &intake.Score{Value: a.reading.Value, AsAt: asAt}
	}
	if a.maths != nil {
		row.Record.KS2Maths = &intake.Score{Value: a.maths.Value, AsAt: asAt}
	}
}
