package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
)

// Scope is the records a principal may see: every record (another nextstep
// component acting as itself), those of the schools of some local
// authorities (a hub or one authority), or those of one school. Services
// filter their queries by it; in SQL it reads
//
//	(all OR la_code = ANY(la_codes) OR school_urn = school_urn)
//
// which is why LACodes is never nil and SchoolURN is empty unless the scope
// is one school. The zero Scope sees nothing.
type Scope struct {
	All       bool
	LACodes   []string
	SchoolURN string
}

// Everything is the scope of a component acting as itself.
func Everything() Scope { return Scope{All: true, LACodes: []string{}} }

// LocalAuthorities is the scope of a hub, or of one local authority: the
// schools of those authorities, by 3-digit code.
func LocalAuthorities(codes ...string) Scope {
	return Scope{LACodes: append([]string{}, codes...)}
}

// School is the scope of one school, by URN.
func School(urn string) Scope { return Scope{LACodes: []string{}, SchoolURN: urn} }

// Covers reports whether the scope includes a record of the school with
// this URN in this local authority.
func (s Scope) Covers(schoolURN, laCode string) bool {
	return s.CoversPupil(schoolURN, laCode, "")
}

// CoversLA reports whether the scope includes the whole local authority
// laCode: everything, or an authority's scope that names it (a school's
// scope never covers an LA). For aggregates and lists by LA.
func (s Scope) CoversLA(laCode string) bool {
	return s.All || (s.SchoolURN == "" && slices.Contains(s.LACodes, laCode))
}

// CoversPupil reports whether the scope includes a young person on roll at
// the school with this URN in the local authority laCode who lives in the
// local authority residenceLA (empty when not recorded). An authority's
// scope covers the pupils of its schools and the young people who live in
// it, wherever they study, as NCCIS tracking does; a school's covers its
// own pupils only.
func (s Scope) CoversPupil(schoolURN, laCode, residenceLA string) bool {
	switch {
	case s.All:
		return true
	case s.SchoolURN != "":
		return s.SchoolURN == schoolURN
	default:
		return slices.Contains(s.LACodes, laCode) || (residenceLA != "" && slices.Contains(s.LACodes, residenceLA))
	}
}

// scopeConfig is how configuration writes a scope (the rules of
// NEXTSTEP_AUTH_CONFIG, development tokens):
//
//	{"kind": "all"}
//	{"kind": "hub", "id": "wmca", "la_codes": ["336", "332"]}
//	{"kind": "la", "id": "336"}
//	{"kind": "school", "id": "136001"}
//
// A hub's id names it for people; only its LA codes scope it.
type scopeConfig struct {
	Kind    string   `json:"kind"`
	ID      string   `json:"id,omitempty"`
	LACodes []string `json:"la_codes,omitempty"`
}

var (
	urnPattern    = regexp.MustCompile(`^[0-9]{6}$`)
	laCodePattern = regexp.MustCompile(`^[0-9]{3}$`)
)

// UnmarshalJSON reads a scope as configuration writes it, refusing an
// unknown key or an incomplete scope, so a typo cannot widen access.
func (s *Scope) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c scopeConfig
	if err := dec.Decode(&c); err != nil {
		return err
	}
	switch c.Kind {
	case "all":
		if c.ID != "" || len(c.LACodes) > 0 {
			return errors.New("scope all takes no id or la_codes")
		}
		*s = Everything()
	case "school":
		if !urnPattern.MatchString(c.ID) {
			return errors.New("scope school needs a 6-digit URN as id")
		}
		*s = School(c.ID)
	case "la":
		if !laCodePattern.MatchString(c.ID) {
			return errors.New("scope la needs a 3-digit LA code as id")
		}
		*s = LocalAuthorities(c.ID)
	case "hub":
		if c.ID == "" || len(c.LACodes) == 0 {
			return errors.New("scope hub needs an id and its la_codes")
		}
		for _, code := range c.LACodes {
			if !laCodePattern.MatchString(code) {
				return fmt.Errorf("scope hub: la code %q is not 3 digits", code)
			}
		}
		*s = LocalAuthorities(c.LACodes...)
	default:
		return fmt.Errorf("unknown scope kind %q", c.Kind)
	}
	return nil
}

// MarshalJSON writes the scope as configuration reads it; several local
// authorities are written as a hub named "hub".
func (s Scope) MarshalJSON() ([]byte, error) {
	switch {
	case s.All:
		return json.Marshal(scopeConfig{Kind: "all"})
	case s.SchoolURN != "":
		return json.Marshal(scopeConfig{Kind: "school", ID: s.SchoolURN})
	case len(s.LACodes) == 1:
		return json.Marshal(scopeConfig{Kind: "la", ID: s.LACodes[0]})
	}
	return json.Marshal(scopeConfig{Kind: "hub", ID: "hub", LACodes: s.LACodes})
}
