// Package hygiene refuses input that no nextstep field may hold, whatever
// its type: fields the contract does not define (a misspelt JSON key would
// otherwise be dropped and the update applied without it), control
// characters (PostgreSQL cannot store NUL in text, and the rest corrupt
// logs and exports), and invisible formatting characters (direction
// overrides and zero-width characters let one name display as another).
//
// The same rules serve the RPC interceptor, which checks every string of
// every request, and the importers, which check each row's text.
package hygiene

import (
	"unicode"
	"unicode/utf8"
)

// Rule ids, as reported in violations and import rejections.
const (
	RuleUTF8      = "text.utf8"
	RuleControl   = "text.control"
	RuleInvisible = "text.invisible"
	RuleKnown     = "fields.known"
)

// A Problem is why a piece of text is refused. Message never repeats the
// text, which may be personal data.
type Problem struct {
	RuleID  string
	Message string
}

// Text returns why s cannot be stored as free text (a note, a summary), or
// nil. Tab, line feed and carriage return are allowed; every other C0 or C1
// control character, DEL, a line or paragraph separator and every Unicode
// format character (category Cf: bidirectional overrides and isolates,
// zero-width spaces and joiners, the byte-order mark, soft hyphens) is
// refused, as is text that is not UTF-8.
func Text(s string) *Problem { return check(s, true) }

// Name returns why s cannot be stored as a name or other one-line value, or
// nil: the rules of Text, and no tab or line break either.
func Name(s string) *Problem { return check(s, false) }

var (
	notUTF8   = &Problem{RuleUTF8, "is not valid UTF-8 text: save the file as UTF-8 and send it again"}
	control   = &Problem{RuleControl, "contains a control character"}
	invisible = &Problem{RuleInvisible, "contains an invisible formatting character (such as a direction override or a zero-width space)"}
)

func check(s string, multiline bool) *Problem {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			return notUTF8
		case r < 0x80 && r >= 0x20 && r != 0x7f:
			// Printable ASCII: the common case, decided at once.
		case r == '\t' || r == '\n' || r == '\r':
			if !multiline {
				return control
			}
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return control
		case unicode.Is(unicode.Cf, r):
			return invisible
		}
	}
	return nil
}
