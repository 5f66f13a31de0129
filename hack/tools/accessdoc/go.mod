// Module accessdoc renders each service's access table into its README from
// the access policy declared in the contracts. It is a module of go.work, so
// make lint and make test cover it; the replace lets it build alone too.
module github.com/nextstep-uk/nextstep/hack/tools/accessdoc

go 1.26.0

require (
	github.com/nextstep-uk/nextstep/api v0.0.0
	google.golang.org/protobuf v1.36.12
)

require buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go v1.36.12-20260825204119-511051f7f437.2 // indirect

replace github.com/nextstep-uk/nextstep/api => ../../../api
