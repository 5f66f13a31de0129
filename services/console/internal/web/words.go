package web

import (
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
)

// The words the pages use for the services' codes. One place, so the queue,
// the task and the filters say the same.

// reasons are the reconciler's reasons in words, by tracking's reason code.
var reasons = map[string]string{
	"BEHIND_TRAJECTORY":            "Behind on work experience",
	"DESTINATION_UNKNOWN":          "Post-16 destination not known",
	"AT_RISK_OF_NEET":              "At risk of becoming NEET",
	"NO_SEPTEMBER_GUARANTEE_OFFER": "No offer of a place for September",
	"DISENGAGED":                   "Left education, employment or training",
	"NO_EMPLOYER_ENCOUNTER":        "No employer encounter this year",
}

func reasonText(code string) string {
	if s, ok := reasons[code]; ok {
		return s
	}
	return strings.ReplaceAll(strings.ToLower(code), "_", " ")
}

// reasonCodes are the known reasons, for the filter.
func reasonCodes() []string {
	codes := make([]string, 0, len(reasons))
	for c := range reasons {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// tag is a GOV.UK tag: its text and colour modifier.
type tag struct{ Text, Class string }

func priorityTag(p trackingv1.Priority) tag {
	switch p {
	case trackingv1.Priority_PRIORITY_URGENT:
		return tag{"Urgent", "govuk-tag--red"}
	case trackingv1.Priority_PRIORITY_HIGH:
		return tag{"High", "govuk-tag--orange"}
	case trackingv1.Priority_PRIORITY_NORMAL:
		return tag{"Normal", "govuk-tag--blue"}
	case trackingv1.Priority_PRIORITY_LOW:
		return tag{"Low", "govuk-tag--grey"}
	}
	return tag{"None", "govuk-tag--grey"}
}

func statusTag(s trackingv1.TaskStatus) tag {
	switch s {
	case trackingv1.TaskStatus_TASK_STATUS_OPEN:
		return tag{"Not started", "govuk-tag--grey"}
	case trackingv1.TaskStatus_TASK_STATUS_ASSIGNED:
		return tag{"Assigned", "govuk-tag--light-blue"}
	case trackingv1.TaskStatus_TASK_STATUS_IN_PROGRESS:
		return tag{"In progress", "govuk-tag--yellow"}
	case trackingv1.TaskStatus_TASK_STATUS_RESOLVED:
		return tag{"Resolved", "govuk-tag--green"}
	case trackingv1.TaskStatus_TASK_STATUS_DISMISSED:
		return tag{"Dismissed", "govuk-tag--purple"}
	case trackingv1.TaskStatus_TASK_STATUS_CLOSED:
		return tag{"Closed: condition cleared", "govuk-tag--green"}
	}
	return tag{"Unknown", "govuk-tag--grey"}
}

func active(s trackingv1.TaskStatus) bool {
	return s == trackingv1.TaskStatus_TASK_STATUS_OPEN || s == trackingv1.TaskStatus_TASK_STATUS_ASSIGNED || s == trackingv1.TaskStatus_TASK_STATUS_IN_PROGRESS
}

// actions are the things staff log doing, in words, by the form's value.
var actions = []struct {
	Value string
	Kind  trackingv1.ActionKind
	Text  string
}{
	{"guidance_interview_held", trackingv1.ActionKind_ACTION_KIND_GUIDANCE_INTERVIEW_HELD, "Guidance interview held"},
	{"placement_arranged", trackingv1.ActionKind_ACTION_KIND_PLACEMENT_ARRANGED, "Placement arranged"},
	{"referral_made", trackingv1.ActionKind_ACTION_KIND_REFERRAL_MADE, "Referral made"},
	{"contact_attempted", trackingv1.ActionKind_ACTION_KIND_CONTACT_ATTEMPTED, "Contact attempted"},
	{"contact_made", trackingv1.ActionKind_ACTION_KIND_CONTACT_MADE, "Contact made"},
	{"offer_secured", trackingv1.ActionKind_ACTION_KIND_OFFER_SECURED, "Offer of a place secured"},
	{"other", trackingv1.ActionKind_ACTION_KIND_OTHER, "Something else"},
}

// actionText is a logged action's words, from the history's short name
// (PLACEMENT_ARRANGED or placement_arranged).
func actionText(name string) string {
	for _, a := range actions {
		if strings.EqualFold(a.Value, name) || strings.EqualFold(strings.TrimPrefix(a.Kind.String(), "ACTION_KIND_"), name) {
			return a.Text
		}
	}
	return strings.ReplaceAll(strings.ToLower(name), "_", " ")
}

// eventText says what a history entry was.
func eventText(kind string) string {
	switch kind {
	case "created":
		return "Task raised"
	case "updated_by_sync":
		return "Updated by the nightly check"
	case "assigned":
		return "Assigned"
	case "started":
		return "Started"
	case "resolved":
		return "Resolved"
	case "dismissed":
		return "Dismissed"
	case "closed":
		return "Closed: the condition cleared"
	case "note":
		return "Note"
	case "action":
		return "Action logged"
	}
	return kind
}

// london is the time zone every date on the pages is in.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// dateText turns YYYY-MM-DD into "2 March 2026", the GOV.UK style.
func dateText(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return d.Format("2 January 2006")
}

// timeText is a timestamp as "2 March 2026 at 3:04pm", in England.
func timeText(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	t := ts.AsTime().In(london)
	return t.Format("2 January 2006") + " at " + strings.ToLower(t.Format("3:04PM"))
}

// halfDays is a count of half days in days: "3", "2.5".
func halfDays(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s
	}
	if n%2 == 0 {
		return strconv.Itoa(n / 2)
	}
	return fmt.Sprintf("%d.5", n/2)
}

// explanation is why a task exists, in plain words, from its evidence: one
// sentence per fact.
type explanation struct {
	Lines []string
	// Factors are a risk task's factors: name, weight and the evidence
	// with its date, as the pupil service scored them.
	Factors []factor
}

type factor struct{ Name, Weight, Evidence string }

func explain(t *trackingv1.Task) explanation {
	ev := t.GetEvidence()
	var e explanation
	if ev["level"] == "cohort" {
		e.Lines = append(e.Lines, fmt.Sprintf("%s of the %s pupils on roll in the year group share this reason: one task for the year group stands for theirs.", ev["pupils"], ev["on_roll"]))
		if x, m := ev["days_expected"], ev["mean_days_credited"]; x != "" && m != "" {
			e.Lines = append(e.Lines, fmt.Sprintf("%s days of work experience are expected by now; the year group's mean is %s.", x, m))
		}
		if n := ev["individual"]; n != "" && n != "0" {
			e.Lines = append(e.Lines, fmt.Sprintf("%s of them (looked after now or before, in need, or at high risk of NEET) keep a task of their own.", n))
		}
		return e
	}
	switch t.GetReasonCode() {
	case "BEHIND_TRAJECTORY":
		if c, x := ev["credited_half_days"], ev["expected_half_days"]; c != "" && x != "" {
			e.Lines = append(e.Lines, fmt.Sprintf("%s days of work experience credited, against %s expected by now.", halfDays(c), halfDays(x)))
		}
		if n := ev["experiences"]; n != "" {
			e.Lines = append(e.Lines, fmt.Sprintf("Experiences so far: %s.", n))
		}
	case "DESTINATION_UNKNOWN":
		if d := ev["deadline"]; d != "" {
			e.Lines = append(e.Lines, fmt.Sprintf("The post-16 destination must be known by %s, and is not.", dateText(d)))
		}
		if ev["currency"] == "lapsed" {
			e.Lines = append(e.Lines, "The young person's confirmed activity has lapsed: confirm it, or record what they do now.")
		}
	case "NO_SEPTEMBER_GUARANTEE_OFFER":
		if d := ev["offers_by"]; d != "" {
			e.Lines = append(e.Lines, fmt.Sprintf("Every Year 11 and 12 young person should have an offer of a place for September by %s (the September Guarantee), and none is recorded.", dateText(d)))
		}
	case "NO_EMPLOYER_ENCOUNTER":
		if by := ev["by"]; by != "" {
			e.Lines = append(e.Lines, fmt.Sprintf("Every pupil should have a meaningful encounter with an employer (a talk, a careers fair or mentoring) every year from Year 7 (Gatsby benchmark 5); none is recorded this academic year by %s.", dateText(by)))
		}
	case "DISENGAGED":
		on, from := ev["disengaged_on"], ev["previous_activity"]
		switch {
		case on != "" && ev["early_leaver"] == "true":
			e.Lines = append(e.Lines, fmt.Sprintf("Their provider notified that they left on %s, after activity %s in education, employment or training: what they do now is not known.", dateText(on), from))
		case on != "":
			e.Lines = append(e.Lines, fmt.Sprintf("Their activity changed to NEET on %s, after activity %s in education, employment or training.", dateText(on), from))
		}
	case "AT_RISK_OF_NEET":
		if s, th := ev["score"], ev["threshold"]; s != "" && th != "" {
			e.Lines = append(e.Lines, fmt.Sprintf("Risk of NEET score %s, at or above the threshold of %s.", s, th))
		}
		keys := make([]string, 0, len(ev))
		for k := range ev {
			if strings.HasPrefix(k, "factor_") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			weight, evidence, _ := strings.Cut(ev[k], ": ")
			e.Factors = append(e.Factors, factor{
				Name:     strings.ReplaceAll(strings.TrimPrefix(k, "factor_"), "_", " "),
				Weight:   weight,
				Evidence: evidence,
			})
		}
	}
	if len(e.Lines) == 0 && len(e.Factors) == 0 {
		e.Lines = append(e.Lines, t.GetSummary())
	}
	return e
}

// bandText is a risk band in words.
func bandText(b riskscale.Band) string {
	switch b {
	case riskscale.High:
		return "High"
	case riskscale.Medium:
		return "Medium"
	}
	return "Low"
}

// factorNames are the risk factors whose names do not read well as they
// are.
var factorNames = map[string]string{
	"sen":                         "Special educational needs",
	"english_additional_language": "English as an additional language",
	"looked_after":                "Looked after (now or in the past)",
	"prior_attainment":            "Prior attainment (KS2)",
}

// factorText is a risk factor's name in words: "free_school_meals" is
// "Free school meals".
func factorText(name string) string {
	if s, ok := factorNames[name]; ok {
		return s
	}
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func destinationKindText(k trackingv1.DestinationKind) string {
	switch k {
	case trackingv1.DestinationKind_DESTINATION_KIND_INTENDED:
		return "Intended"
	case trackingv1.DestinationKind_DESTINATION_KIND_OFFER:
		return "Offer of a place"
	case trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED:
		return "Confirmed activity"
	}
	return "Not known"
}

// kindText is what a pupil does on an opportunity, in words.
func kindText(k placementv1.Kind) string {
	switch k {
	case placementv1.Kind_KIND_PLACEMENT:
		return "Placement"
	case placementv1.Kind_KIND_WORKPLACE_VISIT:
		return "Workplace visit"
	case placementv1.Kind_KIND_JOB_SHADOWING:
		return "Job shadowing"
	case placementv1.Kind_KIND_VIRTUAL_EXPERIENCE:
		return "Virtual experience"
	case placementv1.Kind_KIND_TALK:
		return "Talk (an encounter)"
	case placementv1.Kind_KIND_CAREERS_FAIR:
		return "Careers fair (an encounter)"
	case placementv1.Kind_KIND_MENTORING:
		return "Mentoring (an encounter)"
	}
	return "Not known"
}

// academicYearOf is the academic year (2025/26) a YYYY-MM-DD date is in.
func academicYearOf(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return ""
	}
	return academicyear.Containing(d).String()
}

// activityGroupOrder is the order the picker shows the NCCIS groups in,
// with their names.
var activityGroupOrder = []struct {
	Group trackingv1.ActivityGroup
	Label string
}{
	{trackingv1.ActivityGroup_ACTIVITY_GROUP_EDUCATION, "Education"},
	{trackingv1.ActivityGroup_ACTIVITY_GROUP_EMPLOYMENT, "Employment"},
	{trackingv1.ActivityGroup_ACTIVITY_GROUP_TRAINING, "Training"},
	{trackingv1.ActivityGroup_ACTIVITY_GROUP_RE_ENGAGEMENT, "Re-engagement provision"},
	{trackingv1.ActivityGroup_ACTIVITY_GROUP_NEET, "Not in education, employment or training"},
	{trackingv1.ActivityGroup_ACTIVITY_GROUP_OTHER, "Other (custody and the like)"},
	{trackingv1.ActivityGroup_ACTIVITY_GROUP_COMPULSORY_SCHOOL_AGE, "Below compulsory school leaving age"},
	{trackingv1.ActivityGroup_ACTIVITY_GROUP_NOT_KNOWN, "Current situation not known"},
}

// activityGroups sorts the code table into the picker's groups.
func activityGroups(codes []*trackingv1.ActivityCode) []activityGroup {
	var out []activityGroup
	for _, g := range activityGroupOrder {
		ag := activityGroup{Label: g.Label}
		for _, c := range codes {
			if c.GetGroup() == g.Group {
				ag.Codes = append(ag.Codes, c)
			}
		}
		if len(ag.Codes) > 0 {
			out = append(out, ag)
		}
	}
	return out
}

// decisionText is staff's review of a place on the at-risk list, in words.
func decisionText(d pupilv1.RiskDecision) string {
	switch d {
	case pupilv1.RiskDecision_RISK_DECISION_ADDED:
		return "Added to the at-risk list"
	case pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED:
		return "Suppressed from the at-risk list"
	}
	return "No review"
}

// dateField is a GOV.UK date input's id (the day's is id-day), legend,
// hint, values and error, for the templates.
type dateField struct {
	ID, Legend, Hint, Day, Month, Year, Error string
}

func dateFieldOf(p page, id, legend, hint, day, month, year string) dateField {
	return dateField{ID: id, Legend: legend, Hint: hint, Day: day, Month: month, Year: year, Error: p.ErrorFor(id + "-day")}
}

// formField is a text input's label, value and error, for the templates.
type formField struct {
	ID, Label, Value, Width, Hint, Error string
}

func field(p page, id, label, value, width, hint string) formField {
	return formField{ID: id, Label: label, Value: value, Width: width, Hint: hint, Error: p.ErrorFor(id)}
}

// pagerLinks are a list's pagination: back to the first page, on to the
// next (either may be empty), and the navigation's label.
type pagerLinks struct{ Label, FirstURL, NextURL string }

func pager(label, first, next string) pagerLinks { return pagerLinks{label, first, next} }

// navLink is one item of the service navigation.
type navLink struct {
	Href, Text string
	Active     bool
}

func navItem(href, text, name, current string) navLink {
	return navLink{Href: href, Text: text, Active: name == current}
}

func priorityName(name string) string { return priorityTag(priorities[name]).Text }

var funcs = template.FuncMap{
	"field":        field,
	"navItem":      navItem,
	"priorityName": priorityName,
	"add":          func(a, b int) int { return a + b },
	"reasonText":   reasonText,
	"priorityTag":  priorityTag,
	"statusTag":    statusTag,
	"actionText":   actionText,
	"eventText":    eventText,
	"dateText":     dateText,
	"timeText":     timeText,
	"explain":      explain,
	"active":       active,
	"factorText":   factorText,
	"decisionText": decisionText,
	"dateField":    dateFieldOf,
	"pager":        pager,
	"timeOf":       func(t time.Time) string { return timeText(timestamppb.New(t)) },
	"halfDays":     func(n int32) string { return halfDays(strconv.Itoa(int(n))) },
	"halfDays64":   func(n int64) string { return halfDays(strconv.FormatInt(n, 10)) },
}
