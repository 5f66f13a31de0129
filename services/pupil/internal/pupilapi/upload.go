package pupilapi

import (
	"io"

	"connectrpc.com/connect"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// upload reads the file of an import from the chunks of its stream, as the
// parser asks for them: the file is never held whole.
type upload struct {
	stream *connect.ClientStream[pupilv1.ImportPupilsRequest]
	buf    []byte
	read   int64
	want   int64 // declared size, 0 if not given
	eof    bool
}

// uploadError is a failure of the upload rather than of the file: the
// stream broke (err set), a second header arrived, or the size was wrong.
type uploadError struct {
	err    error
	reason refusalv1.Reason
	msg    string
}

func (e uploadError) Error() string {
	if e.err != nil {
		return "upload: " + e.err.Error()
	}
	return e.msg
}

func (e uploadError) connectError() error {
	code := connect.CodeInvalidArgument
	if e.reason == refusalv1.Reason_REASON_INCOMPLETE_UPLOAD {
		code = connect.CodeFailedPrecondition
	}
	return rpcerror.New(code, e.reason, "%s: nothing was imported", e.msg)
}

func (u *upload) Read(p []byte) (int, error) {
	for len(u.buf) == 0 {
		if u.eof {
			return 0, io.EOF
		}
		if !u.stream.Receive() {
			if err := u.stream.Err(); err != nil {
				return 0, uploadError{err: err}
			}
			u.eof = true
			return 0, io.EOF
		}
		msg := u.stream.Msg()
		if msg.GetHeader() != nil {
			return 0, uploadError{reason: refusalv1.Reason_REASON_HEADER_REPEATED, msg: "only the first message may be a header"}
		}
		u.buf = msg.GetChunk()
	}
	n := copy(p, u.buf)
	u.buf = u.buf[n:]
	u.read += int64(n)
	return n, nil
}

// complete checks, once the parser has finished, that the upload ended
// and had the declared size.
func (u *upload) complete() error {
	// A parser may stop before the end (the CTF after </CTFpupilData>);
	// what follows must still arrive.
	if _, err := io.Copy(io.Discard, u); err != nil {
		return err
	}
	if u.want > 0 && u.read != u.want {
		return uploadError{reason: refusalv1.Reason_REASON_INCOMPLETE_UPLOAD, msg: "the upload's size is not the size its header declared"}
	}
	return nil
}
