// Package csvexport writes the CSV files nextstep hands to people (the NCCIS
// staging export, the lists a school downloads). Every cell is made safe to
// open in a spreadsheet: a cell that begins with a character Excel,
// LibreOffice or Google Sheets reads as the start of a formula (=, +, -, @,
// tab, carriage return, line feed or NUL) is written with a leading single
// quote, which spreadsheets show as text, as OWASP's "CSV Injection" page and
// ASVS 5.0 requirement 1.2.10 recommend; quoting and escaping otherwise
// follow RFC 4180, as encoding/csv writes it.
package csvexport

import (
	"encoding/csv"
	"io"
)

// Writer writes CSV records with every cell neutralised.
type Writer struct {
	w    *csv.Writer
	cell []string
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record.
func (w *Writer) Write(record []string) error {
	w.cell = w.cell[:0]
	for _, c := range record {
		w.cell = append(w.cell, Cell(c))
	}
	return w.w.Write(w.cell)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error of a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }

// Cell returns s as it must be written so that no spreadsheet evaluates it.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n', 0:
		return "'" + s
	}
	return s
}
