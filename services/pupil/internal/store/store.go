// Package store is the pupil service's SQL. Every function takes the
// database handle as an argument, so the same query runs on the pool or
// inside a transaction.
package store

import "github.com/nextstep-uk/nextstep/services/kit/database"

// DB is a pool, a connection or a transaction.
type DB = database.DB
