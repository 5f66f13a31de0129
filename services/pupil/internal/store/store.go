// Package store is the pupil service's SQL. The queries are SQL files in
// queries/, compiled by sqlc into package dbsqlc (make sqlc); this package
// maps the service's types to and from sqlc's rows and params. Every
// function takes the database handle as an argument, so the same query
// runs on the pool or inside a transaction.
package store

import "github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"

// DB is a pool, a connection or a transaction: anything sqlc's queries run
// on, COPY included.
type DB = dbsqlc.DBTX

// queries are the generated queries; they hold no state.
var queries = dbsqlc.New()
