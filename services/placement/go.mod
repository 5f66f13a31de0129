module github.com/nextstep-uk/nextstep/services/placement

go 1.26.0
