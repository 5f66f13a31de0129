package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

// fullRecord sets every field a record has, each factor with its own date,
// so a value put in the wrong column shows.
func fullRecord() intake.Record {
	day := func(d int) time.Time { return time.Date(2025, time.September, d, 0, 0, 0, 0, time.UTC) }
	return intake.Record{
		UPN: "L336400125001", LegalSurname: "Testperson", LegalForename: "Ada",
		PreferredSurname: "Tester", PreferredForename: "Addy",
		DateOfBirth: time.Date(2013, time.October, 2, 0, 0, 0, 0, time.UTC), SchoolURN: "100001",
		JoinedOn: day(1), LeftOn: day(30), LeavingReason: intake.LeftTransferred, YearGroupOffset: -1,
		Risk: risk.Factors{
			Attendance:           &risk.Percent{Value: 84.5, AsAt: day(2)},
			Suspensions:          &risk.Count{Value: 2, AsAt: day(3)},
			PermanentExclusions:  &risk.Count{Value: 1, AsAt: day(4)},
			SEN:                  &risk.SENStatus{Value: risk.SENSupport, AsAt: day(5)},
			FreeSchoolMeals:      &risk.Flag{Value: true, AsAt: day(6)},
			Care:                 &risk.CareStatus{Value: risk.CareLookedAfter, AsAt: day(7)},
			YoungCarer:           &risk.Flag{Value: true, AsAt: day(8)},
			EAL:                  &risk.Flag{Value: true, AsAt: day(9)},
			SchoolMoves:          &risk.Count{Value: 3, AsAt: day(10)},
			ChildInNeed:          &risk.Flag{Value: true, AsAt: day(14)},
			AlternativeProvision: &risk.Flag{Value: false, AsAt: day(15)},
			YouthJustice:         &risk.Flag{Value: true, AsAt: day(16)},
			YoungParent:          &risk.Flag{Value: false, AsAt: day(17)},
			HomeEducated:         &risk.Flag{Value: true, AsAt: day(18)},
			MentalHealth:         &risk.Flag{Value: true, AsAt: day(19)},
		},
		FirstLanguage: &intake.Language{Code: "URD", AsAt: day(11)},
		KS2Reading:    &intake.Score{Value: 104, AsAt: day(12)},
		KS2Maths:      &intake.Score{Value: 98, AsAt: day(13)},
		Residence:     &intake.Residence{LACode: "330", Since: day(14)},
	}
}

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]intake.Record{
		"every field": fullRecord(),
		"only what is required": {UPN: "L336400125001", LegalSurname: "Testperson", LegalForename: "Ada",
			DateOfBirth: time.Date(2013, time.October, 2, 0, 0, 0, 0, time.UTC), SchoolURN: "100001"},
	} {
		if diff := cmp.Diff(r, record(pupilRow(r))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestParamsCarryTheRow checks that each statement writing a record gets
// every column of it: a params field named like a column pupilRow sets
// holds that column's value, and the others (id, idempotency key, row
// number...) are set too.
func TestParamsCarryTheRow(t *testing.T) {
	t.Parallel()
	r := fullRecord()
	row := reflect.ValueOf(pupilRow(r))
	id := NewID()
	for name, params := range map[string]any{
		"InsertPupil":     insertParams(id, "7b0c5d8e-2f4a-4c1b-9e3d-6a5f8b2c1d0e", []byte{1}, r),
		"UpdatePupil":     updateParams("7b0c5d8e-2f4a-4c1b-9e3d-6a5f8b2c1d0e", r),
		"StageImportRows": stagedRow(id, intake.Row{Record: r, Index: 7, Location: "line 8"}),
		"CopyIntoPupils":  CopyRow(id, r),
	} {
		v := reflect.ValueOf(params)
		for i := range v.NumField() {
			field, value := v.Type().Field(i).Name, v.Field(i)
			if want := row.FieldByName(field); want.IsValid() && !want.IsZero() {
				if !reflect.DeepEqual(value.Interface(), want.Interface()) {
					t.Errorf("%s: %s is %v, want %v", name, field, value.Interface(), want.Interface())
				}
				continue
			}
			if value.IsZero() {
				t.Errorf("%s: %s is not set", name, field)
			}
		}
	}
}
