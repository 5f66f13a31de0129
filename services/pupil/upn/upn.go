// Package upn validates Unique Pupil Numbers: 13 characters, a check letter
// then a 3-digit LA code, a 4-digit DfE establishment number, a 2-digit year
// of allocation and a 3-digit serial. A temporary UPN has a letter as its
// 13th character. The rules are the DfE's (validation rule 1510 for the
// check letter, 1530 for the LA code: see LACodeRecognised); see DESIGN.md
// section 2. It is pure, and public so that tools which make synthetic
// pupils (make run's seed) can make valid UPNs.
package upn

import "strings"

// Length is the number of characters in a UPN.
const Length = 13

// letters maps the remainder 0-22 to the check letter; I, O and S never
// appear because they are easily mistaken for digits.
const letters = "ABCDEFGHJKLMNPQRTUVWXYZ"

// Problem is why a UPN is refused. RuleID is stable for clients; Message
// never repeats the UPN, which is personal data.
type Problem struct {
	RuleID  string
	Message string
}

func (p *Problem) Error() string { return p.Message }

// The problems Validate reports.
var (
	ErrLength      = &Problem{"upn.length", "must be 13 characters"}
	ErrLowercase   = &Problem{"upn.upper_case", "must be in capital letters"}
	ErrCharacters  = &Problem{"upn.characters", "must be a letter, 11 digits and a final digit or letter"}
	ErrLACode      = &Problem{"upn.la_code", "characters 2-4 are not a recognised local authority code"}
	ErrCheckLetter = &Problem{"upn.check_letter", "check letter does not match"}
)

// Validate returns nil for a valid UPN, permanent or temporary, or the
// first Problem found.
func Validate(s string) *Problem {
	if len(s) != Length {
		return ErrLength
	}
	if s != strings.ToUpper(s) {
		return ErrLowercase
	}
	if strings.IndexByte(letters, s[0]) < 0 || !digits(s[1:12]) || !isDigit(s[12]) && strings.IndexByte(letters, s[12]) < 0 {
		return ErrCharacters
	}
	if !LACodeRecognised(s[1:4]) {
		return ErrLACode
	}
	if CheckLetter(s[1:]) != s[0] {
		return ErrCheckLetter
	}
	return nil
}

// Temporary reports whether a valid UPN is temporary (its 13th character is
// a letter).
func Temporary(s string) bool { return len(s) == Length && !isDigit(s[12]) }

// CheckLetter computes the check letter of the 12 characters after it:
// each is weighted by its position in the whole UPN (2-13), the sum is taken
// mod 23 and mapped to letters. A letter in the last position (a temporary
// UPN) counts as its index in the same table. It returns 0 if rest is not 12
// characters of that form.
func CheckLetter(rest string) byte {
	if len(rest) != Length-1 {
		return 0
	}
	sum := 0
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		var v int
		switch {
		case isDigit(c):
			v = int(c - '0')
		case i == len(rest)-1 && strings.IndexByte(letters, c) >= 0:
			v = strings.IndexByte(letters, c)
		default:
			return 0
		}
		sum += v * (i + 2)
	}
	return letters[sum%23]
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
