// Package academicyear is the school year of England as the contracts write
// it: 1 September to 31 August, "2025/26". The services, the operator and
// the CRDs all use this form, so its parsing and dates live here, once.
package academicyear

import (
	"errors"
	"fmt"
	"time"
)

// Year is the academic year starting on 1 September of Start.
type Year struct{ Start int }

// Parse reads "2025/26": the second part must be the first plus one, mod 100.
func Parse(s string) (Year, error) {
	var start, end int
	if len(s) != 7 || s[4] != '/' {
		return Year{}, errors.New("must look like 2025/26")
	}
	if _, err := fmt.Sscanf(s, "%4d/%2d", &start, &end); err != nil {
		return Year{}, errors.New("must look like 2025/26")
	}
	if end != (start+1)%100 {
		return Year{}, errors.New("the second year must follow the first")
	}
	return Year{Start: start}, nil
}

// Containing is the academic year a date falls in.
func Containing(d time.Time) Year {
	if d.Month() >= time.September {
		return Year{Start: d.Year()}
	}
	return Year{Start: d.Year() - 1}
}

// String is the written form, like 2025/26.
func (y Year) String() string { return fmt.Sprintf("%d/%02d", y.Start, (y.Start+1)%100) }

// FirstDay is 1 September.
func (y Year) FirstDay() time.Time { return date(y.Start, time.September, 1) }

// LastDay is 31 August of the following calendar year.
func (y Year) LastDay() time.Time { return date(y.Start+1, time.August, 31) }

// On returns the date with this month and day inside the academic year:
// September to December in its first calendar year, January to August in
// its second.
func (y Year) On(month time.Month, day int) time.Time {
	if month >= time.September {
		return date(y.Start, month, day)
	}
	return date(y.Start+1, month, day)
}

// Plus is the academic year n years later.
func (y Year) Plus(n int) Year { return Year{Start: y.Start + n} }

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
