module github.com/nextstep-uk/nextstep/services/console/browsertest

go 1.26.0

replace (
	github.com/nextstep-uk/nextstep/api => ../../../api
	github.com/nextstep-uk/nextstep/services/console => ..
	github.com/nextstep-uk/nextstep/services/kit => ../../kit
	github.com/nextstep-uk/nextstep/services/pupil => ../../pupil
	github.com/nextstep-uk/nextstep/services/tracking => ../../tracking
)
