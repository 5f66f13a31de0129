module github.com/nextstep-uk/nextstep/operator

go 1.26.0
