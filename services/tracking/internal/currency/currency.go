// Package currency decides how long a confirmed activity stays current: the
// NCCIS requirement has a young person's activity reviewed, and one past its
// review date counts as not known ("Currency", "Current activity review
// date", "Currency rules" in the requirement; see ../shared/DOMAIN.md). The
// requirement's own periods are not in its public copies, so they are
// configuration, with defaults documented here, checked so that every group
// of known activities has exactly one period. It is pure: dates in, dates
// out.
package currency

import (
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/nccis"
)

// Rule gives the activities of Groups a period, in days, from the date they
// were last ascertained.
type Rule struct {
	Groups []string `json:"groups"`
	Days   int      `json:"days"`
}

// Config is every rule. Each group of known activities is in exactly one.
type Config struct {
	Rules []Rule `json:"rules"`
	// days is the period by group, filled in by Validate.
	days map[nccis.Group]int
}

// Default is nextstep's choice, to be set against the requirement in force:
// a year for education, training and those below school leaving age (a
// course or a school year runs that long, and LA teams confirm the year's
// enrolments each autumn); six months for employment and the other known
// activities; three months for NEET and re-engagement, whose young people
// the duty to participate asks LAs to contact most often.
func Default() Config {
	c := Config{Rules: []Rule{
		{Groups: []string{"education", "training", "compulsory_school_age"}, Days: 365},
		{Groups: []string{"employment", "other"}, Days: 182},
		{Groups: []string{"neet", "re_engagement"}, Days: 91},
	}}
	if err := c.Validate(); err != nil {
		panic(err) // the defaults are a constant
	}
	return c
}

// groups are the groups of known activities, by name; "not_known" is never
// current, so no rule may name it.
var groups = func() map[string]nccis.Group {
	m := map[string]nccis.Group{}
	for g := nccis.GroupEducation; g < nccis.GroupNotKnown; g++ {
		m[g.String()] = g
	}
	return m
}()

// Validate refuses a rule naming an unknown group or a period under a day,
// a group in two rules (an overlap), and a group in none (a gap), naming
// the rule or the group.
func (c *Config) Validate() error {
	c.days = map[nccis.Group]int{}
	where := map[nccis.Group]int{}
	for i, r := range c.Rules {
		if r.Days < 1 || r.Days > 3*365 {
			return fmt.Errorf("rules[%d].days: must be 1 to 1095", i)
		}
		if len(r.Groups) == 0 {
			return fmt.Errorf("rules[%d].groups: name at least one group", i)
		}
		for _, name := range r.Groups {
			g, ok := groups[name]
			if !ok {
				return fmt.Errorf("rules[%d].groups: %q is not a group of known activities (%s)", i, name, strings.Join(names(), ", "))
			}
			if j, seen := where[g]; seen {
				return fmt.Errorf("rules[%d].groups: %s is in rules[%d] too", i, name, j)
			}
			where[g], c.days[g] = i, r.Days
		}
	}
	for _, name := range names() {
		if _, ok := where[groups[name]]; !ok {
			return fmt.Errorf("rules: no rule gives %s a period", name)
		}
	}
	return nil
}

func names() []string {
	var out []string
	for g := nccis.GroupEducation; g < nccis.GroupNotKnown; g++ {
		out = append(out, g.String())
	}
	return out
}

// Parse reads a configuration file (YAML or JSON) and validates it.
func Parse(data []byte) (Config, error) {
	var c Config
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return Config{}, fmt.Errorf("currency: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("currency: %w", err)
	}
	return c, nil
}

// LapsesOn is the day an activity of group, last ascertained on
// ascertained, stops being current: its group's period later, or its
// review date (for a course, the expected end date) when that is sooner.
// Zero for a group that is never current (not known).
func (c Config) LapsesOn(group nccis.Group, ascertained, reviewOn time.Time) time.Time {
	days, ok := c.days[group]
	if !ok {
		return time.Time{}
	}
	y, m, d := ascertained.Date()
	lapses := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	if !reviewOn.IsZero() && reviewOn.Before(lapses) {
		return reviewOn
	}
	return lapses
}

// Current reports whether an activity that lapses on lapses is current on
// today.
func Current(lapses, today time.Time) bool { return !lapses.IsZero() && today.Before(lapses) }
