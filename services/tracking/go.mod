module github.com/nextstep-uk/nextstep/services/tracking

go 1.26.0
