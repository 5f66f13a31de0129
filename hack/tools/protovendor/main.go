// Command protovendor writes buf/validate/validate.proto, protovalidate's rule
// definitions, from the descriptor compiled into protovalidate's pinned Go
// module. The buf schema registry cannot be reached from our machines, so the
// .proto our contracts import is reproduced from the same release the Go code
// validates with: the two can never drift apart.
//
//	go run . <output-dir>
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"github.com/jhump/protoreflect/v2/protoprint"
)

const header = `// Code reproduced by hack/tools/protovendor from the descriptor in
// buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go (see go.mod for the
// version). DO NOT EDIT. Copyright 2023-2025 Buf Technologies, Inc.; licensed
// under the Apache License, Version 2.0 (LICENSE in this directory).

`

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: protovendor <output-dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "protovendor:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	fd := validate.File_buf_validate_validate_proto
	printer := protoprint.Printer{}
	text, err := printer.PrintProtoToString(fd)
	if err != nil {
		return fmt.Errorf("print %s: %w", fd.Path(), err)
	}
	path := filepath.Join(out, fd.Path())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(header+text), 0o644)
}
