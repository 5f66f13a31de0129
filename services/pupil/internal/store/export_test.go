package store

// Exported for the benchmarks' baseline, which copies the same values.
var RecordValues = recordValues

func RecordColumns() []string { return recordColumns }
