package ctf

import (
	"time"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

// languages reads the pupil's first language:
//
//	<BasicDetails>
//	  <Languages> <Type> <LanguageType>F</LanguageType> <Language>ENG</Language> </Type> </Languages>
//	</BasicDetails>
//
// Element names and the type F ("first") as a CTF writer uses them
// (Follett's Aspen DfELanguage: ELEMENT_LANGUAGES "Languages", ELEMENT_TYPE
// "Type", ELEMENT_LANGUAGE_TYPE "LanguageType", ELEMENT_LANGUAGE_CODE
// "Language", DEFAULT_LANGUAGE_TYPE "F" // First). Other types (a home
// language) are skipped.
type languages struct {
	curType, curLanguage string
	first                string
	seen                 bool
}

// englishCodes are the first-language codes that count as English, so not
// EAL: "known or believed to be English" in the DfE's statistics, the codes
// ENG (English) and ENB (believed to be English) in the school census
// (validation rule 5140: "language not equal to 'ENG' (English), 'ENB'
// (believed to be English) ..."). notObtained (NOT, "Not obtained") leaves
// EAL not known.
var englishCodes = map[string]bool{"ENG": true, "ENB": true}

const notObtained = "NOT"

func (l *languages) start(path string) {
	if path == "BasicDetails/Languages/Type" {
		l.curType, l.curLanguage = "", ""
	}
}

func (l *languages) set(path, text string) bool {
	switch path {
	case "BasicDetails/Languages/Type/LanguageType":
		l.curType = text
	case "BasicDetails/Languages/Type/Language":
		l.curLanguage = text
	case "BasicDetails/Languages/Type":
		if l.curType == "F" {
			l.first, l.seen = l.curLanguage, true
		}
	default:
		return false
	}
	return true
}

// build sets the first language and, from it, EAL (English as an
// additional language: a first language other than English).
func (l *languages) build(row *intake.Row, asAt time.Time) {
	if !l.seen || l.first == "" {
		return
	}
	if !languageCode(l.first) {
		row.Reject(FieldLanguage, "language.code", "must be a school census language code: 3 or 4 capital letters")
		return
	}
	row.Record.FirstLanguage = &intake.Language{Code: l.first, AsAt: asAt}
	if l.first != notObtained {
		row.Record.Risk.EAL = &risk.Flag{Value: !englishCodes[l.first], AsAt: asAt}
	}
}

// languageCode reports whether s has the shape of a language code: 3 or 4
// capital letters. The list of codes itself is not checked.
func languageCode(s string) bool {
	if len(s) < 3 || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
