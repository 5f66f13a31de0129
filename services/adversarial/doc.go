// Package adversarial is the suite an outside tester would run against
// nextstep's write paths, kept in the repository so every change runs it.
// It starts the three services in-process on real PostgreSQL, seeds schools
// in three areas (two schools of one local authority, a neighbouring
// authority in the same hub, and another hub's), and for every write RPC of
// every service tries:
//
//   - an out-of-scope target by id, by natural key (UPN, URN) and through
//     the labels a caller might supply (a school URN, an LA code);
//   - an idempotency key replayed with a different body;
//   - malformed input: control and invisible characters in every string
//     field, unknown fields and enumeration names, forged page tokens,
//     implausible dates;
//
// and asserts the refusal and that no service's data changed (row counts and
// checksums of every table, before and after).
//
// It also holds the access matrix (TestAccessMatrix): every RPC of every
// service, unary and streaming, called as each role and anonymously, in
// scope and out of it, each call expecting exactly what the access policy
// declared on the method in its .proto says (the same policy
// hack/tools/accessdoc renders into each service's README): Unauthenticated
// without a token, PermissionDenied for a role it does not list, OK in
// scope, and out of scope the outcome declared for the RPC, NotFound for a
// record or an answer that leaves the target out for a list.
//
// The list of RPCs comes from the contracts' descriptors, so a new write
// RPC without attacks, a new list RPC without a forged-token case, or any
// new RPC without a request in the access matrix fails the suite.
package adversarial
