package startup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{context.DeadlineExceeded, true},
		{fmt.Errorf("stream INVOICES: %w", context.DeadlineExceeded), true},
		{nats.ErrTimeout, true},
		{nats.ErrNoResponders, true},
		{jetstream.ErrJetStreamNotEnabled, true},
		{&jetstream.APIError{Code: 503, ErrorCode: 10008, Description: "JetStream system temporarily unavailable"}, true},
		{&jetstream.APIError{Code: 400, ErrorCode: 10058, Description: "stream name already in use"}, false},
		{nats.ErrPermissionViolation, false},
		{context.Canceled, false},
		{errors.New("insufficient resources"), false},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestRetryKeepsAskingThroughTransientErrors(t *testing.T) {
	calls := 0
	err := Retry(context.Background(), quiet, "stream X", func(context.Context) error {
		calls++
		if calls < 3 {
			return nats.ErrTimeout
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls, want nil after 3", err, calls)
	}
}

func TestRetryStopsAtAFinalError(t *testing.T) {
	calls := 0
	final := &jetstream.APIError{Code: 400, ErrorCode: 10058, Description: "stream name already in use"}
	err := Retry(context.Background(), quiet, "stream X", func(context.Context) error {
		calls++
		return final
	})
	if !errors.Is(err, final) || calls != 1 {
		t.Fatalf("err %v after %d calls, want the final error after 1", err, calls)
	}
}

func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	err := Retry(ctx, quiet, "stream X", func(context.Context) error { return nats.ErrNoResponders })
	if err == nil {
		t.Fatal("want an error once the context ended")
	}
}
