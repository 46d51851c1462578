// Package startup retries what settlement asks JetStream while it starts.
package startup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// attemptTimeout bounds one attempt; the whole retry runs until ctx ends.
const attemptTimeout = 10 * time.Second

// Retry runs fn until it succeeds, fails for good, or ctx ends. A JetStream cluster that
// has just started, is electing leaders or is busy creating other replicated streams
// answers slowly or not at all for a while: such answers are retried (with backoff up to
// 2 s), so the service becomes ready a moment later instead of exiting and being
// restarted. The fault suite (faults/) caught settlement exiting on a 5 s timeout while
// a fresh three-node cluster created every app's R3 streams at once.
func Retry(ctx context.Context, logger *slog.Logger, what string, fn func(ctx context.Context) error) error {
	wait := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, attemptTimeout)
		err := fn(attemptCtx)
		cancel()
		if err == nil {
			return nil
		}
		if !Transient(err) || ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		logger.Warn("JetStream did not answer yet; retrying", "what", what, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// Transient tells whether err says "not now" (no answer in time, no responder, JetStream
// not available yet) rather than "no" (a bad configuration, a permission).
func Transient(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.Code == 503 {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrJetStreamNotEnabled) ||
		errors.Is(err, nats.ErrConnectionReconnecting)
}
