package risk

import (
	"errors"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/nextstep-uk/nextstep/api/riskscale"
)

// Model is a hub's risk-of-NEET configuration: the weights, named by a
// version every score records, and the bands its risk list is drawn with
// (they should be its Programme's riskBands).
type Model struct {
	Weights Weights
	Bands   riskscale.Bands
}

// DefaultModel is the shipped weights and bands.
func DefaultModel() Model { return Model{Weights: DefaultWeights(), Bands: riskscale.DefaultBands} }

// ParseModel reads a model file (YAML or JSON): a version, any weights to
// change from DefaultWeights (a factor left out keeps its default), and
// optionally bands. An unknown key, a weight off the scale or bands out of
// order is refused with the field named. For example:
//
//	version: wmca-2026-1
//	attendance: 2
//	english_additional_language: 1
//	bands: {medium: 3, high: 6}
func ParseModel(data []byte) (Model, error) {
	file := struct {
		Weights
		Bands *riskscale.Bands `json:"bands"`
	}{Weights: DefaultWeights()}
	file.Version = ""
	if err := yaml.UnmarshalStrict(data, &file); err != nil {
		return Model{}, fmt.Errorf("risk model: %w", err)
	}
	m := Model{Weights: file.Weights, Bands: riskscale.DefaultBands}
	if file.Bands != nil {
		m.Bands = *file.Bands
	}
	if m.Weights.Version == "" || m.Weights.Version == DefaultWeightsVersion {
		return Model{}, errors.New("risk model: version: name these weights (not the default's name), so every score says which made it")
	}
	if err := m.Weights.Validate(); err != nil {
		return Model{}, fmt.Errorf("risk model: %w", err)
	}
	if err := m.Bands.Validate(); err != nil {
		return Model{}, fmt.Errorf("risk model: bands.%w", err)
	}
	return m, nil
}
