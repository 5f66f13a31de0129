package rpcerror_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

func TestInternalLogsNoValues(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	pgErr := &pgconn.PgError{Code: "22007", Message: `invalid input syntax for type date: "2012-13-45"`, Detail: "Key (upn)=(B801200005001)", TableName: "pupils"}
	err := rpcerror.Internal(context.Background(), logger, "create pupil", fmt.Errorf("insert: %w", pgErr))

	if connect.CodeOf(err) != connect.CodeInternal || strings.Contains(err.Error(), "2012") {
		t.Errorf("returned %v", err)
	}
	for _, leak := range []string{"2012-13-45", "B801200005001"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("log line carries %q: %s", leak, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "22007") || !strings.Contains(logs.String(), "pupils") {
		t.Errorf("log line lacks the SQLSTATE and table: %s", logs.String())
	}
}
