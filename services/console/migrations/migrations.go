// Package migrations holds the console's schema (its sessions) as numbered
// goose SQL files. A migration that has landed is never edited: add a new
// one.
package migrations

import "embed"

// FS holds the migrations.
//
//go:embed *.sql
var FS embed.FS
