// Package settle turns closed lots into invoices: a durable JetStream consumer of the lot
// events, shared by every settlement replica, that issues one invoice per lot closed with
// a winner. Issuing is idempotent (invoices.Store.Issue), so a redelivery, a second
// replica or a restart can only ever find the invoice already issued.
package settle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/common/v1"
	lotv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/lot/v1"
	settlementv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/settlement/v1"
	"github.com/gavel-auction/gavel/apps/settlement/gen/names"
	"github.com/gavel-auction/gavel/apps/settlement/internal/consume"
	"github.com/gavel-auction/gavel/apps/settlement/internal/fees"
	"github.com/gavel-auction/gavel/apps/settlement/internal/invoices"
	"github.com/gavel-auction/gavel/apps/settlement/internal/telemetry"
)

const (
	// retryDelay: how long a message waits before it is tried again after a failure
	// that time may cure (NATS unavailable for a moment, a publish timeout).
	retryDelay = 2 * time.Second
)

var tracer = otel.Tracer("gavel.settlement")

// permanentError: a message that no retry can settle (unreadable, a currency the fee
// schedule does not cover). It is terminated and logged for a person to look at.
type permanentError struct{ error }

// Settler consumes the lot events.
type Settler struct {
	store    *invoices.Store
	lots     jetstream.Stream
	logger   *slog.Logger
	now      func() time.Time
	consumer jetstream.Consumer
	consume  jetstream.ConsumeContext
	// inFlight counts handlers running, so Stop can wait for them.
	inFlight sync.WaitGroup
}

// Start creates (or updates) the durable consumer and starts settling. LOT_EVENTS must
// exist: the services that append lot events create it.
func Start(ctx context.Context, js jetstream.JetStream, store *invoices.Store, logger *slog.Logger) (*Settler, error) {
	lots, err := waitForStream(ctx, js, logger)
	if err != nil {
		return nil, err
	}
	consumer, err := js.CreateOrUpdateConsumer(ctx, names.LotEventsStream, jetstream.ConsumerConfig{
		Durable:       names.SettlementConsumer,
		Description:   "Issues an invoice for every lot closed sold (apps/settlement)",
		FilterSubject: names.LotSubjectWildcard,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 256,
	})
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", names.SettlementConsumer, err)
	}
	s := &Settler{store: store, lots: lots, logger: logger, now: time.Now, consumer: consumer}
	s.consume, err = consumer.Consume(s.handle, jetstream.PullMaxMessages(64), jetstream.PullExpiry(consume.Expiry),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			logger.Warn("lot events consumer", "err", err)
		}))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// waitForStream answers LOT_EVENTS once it exists: the services that append lot events
// create it, and settlement may start first (a fresh install starts everything at once).
func waitForStream(ctx context.Context, js jetstream.JetStream, logger *slog.Logger) (jetstream.Stream, error) {
	for told := false; ; told = true {
		lots, err := js.Stream(ctx, names.LotEventsStream)
		if !errors.Is(err, jetstream.ErrStreamNotFound) {
			if err != nil {
				return nil, fmt.Errorf("stream %s: %w", names.LotEventsStream, err)
			}
			return lots, nil
		}
		if !told {
			logger.Info("waiting for the lot events stream, which the bidding and catalog services create", "stream", names.LotEventsStream)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// Stop stops pulling and waits for the messages in hand to be settled (or ctx to end).
func (s *Settler) Stop(ctx context.Context) error {
	s.consume.Drain()
	select {
	case <-s.consume.Closed():
	case <-ctx.Done():
		return ctx.Err()
	}
	done := make(chan struct{})
	go func() { s.inFlight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// consumerInfo reads the durable consumer's state (what is pending, what awaits an ack).
func (s *Settler) consumerInfo() (*jetstream.ConsumerInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.consumer.Info(ctx)
}

func (s *Settler) handle(msg jetstream.Msg) {
	s.inFlight.Add(1)
	defer s.inFlight.Done()
	var event lotv1.LotEvent
	if err := proto.Unmarshal(msg.Data(), &event); err != nil {
		s.logger.Error("unreadable lot event, terminated", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	closed := event.GetClosed()
	if closed == nil {
		_ = msg.Ack() // bids, openings, cancellations: nothing to settle
		return
	}
	meta, _ := msg.Metadata()
	ctx, span := tracer.Start(telemetry.Extract(context.Background(), msg.Headers()),
		"process "+names.LotSubjectTemplate, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(messagingAttributes(msg.Subject(), names.LotSubjectTemplate, "process")...),
		trace.WithAttributes(attribute.String("messaging.consumer.group.name", names.SettlementConsumer), attribute.String("gavel.lot.id", event.GetLotId())))
	if meta != nil {
		span.SetAttributes(attribute.String("messaging.message.id", strconv.FormatUint(meta.Sequence.Stream, 10)))
	}
	defer span.End()

	outcome, err := s.settle(ctx, event.GetLotId(), event.GetOccurredAt(), closed)
	var permanent permanentError
	switch {
	case errors.As(err, &permanent):
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		s.logger.ErrorContext(ctx, "cannot settle this lot; terminated for a person to look at", "lot_id", event.GetLotId(), "err", err)
		_ = msg.Term()
	case err != nil:
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		s.logger.WarnContext(ctx, "settling failed; retrying", "lot_id", event.GetLotId(), "err", err)
		_ = msg.NakWithDelay(retryDelay)
	default:
		span.SetAttributes(attribute.String("gavel.settlement.outcome", outcome))
		if err := msg.DoubleAck(ctx); err != nil {
			s.logger.WarnContext(ctx, "ack not confirmed; the redelivery will find the invoice issued", "lot_id", event.GetLotId(), "err", err)
		}
	}
}

// settle issues the invoice of a lot closed with a winner. Answers what happened:
// "issued", "already issued" (another replica, a redelivery), or "unsold".
func (s *Settler) settle(ctx context.Context, lotID string, closedAt *timestamppb.Timestamp, closed *lotv1.LotClosed) (string, error) {
	if closed.GetWinnerId() == "" || !closed.GetReserveMet() {
		return "unsold", nil // no bids, or the reserve not met: no invoice
	}
	if !invoices.ValidLotID(lotID) {
		return "", permanentError{fmt.Errorf("lot id %q cannot name a subject", lotID)}
	}
	opened, err := s.opening(ctx, lotID)
	if err != nil {
		return "", err
	}
	hammer := closed.GetHammerPrice()
	f, err := fees.For(hammer.GetCurrencyCode(), hammer.GetAmountMinor())
	if err != nil {
		return "", permanentError{err}
	}
	if closedAt == nil {
		closedAt = closed.GetEndedAt()
	}
	money := func(minor int64) *commonv1.Money {
		return &commonv1.Money{CurrencyCode: f.Currency, AmountMinor: minor}
	}
	invoice := &settlementv1.Invoice{
		LotId:             lotID,
		LotTitle:          opened.GetTitle(),
		BuyerId:           closed.GetWinnerId(),
		SellerId:          opened.GetSellerId(),
		WinningBidId:      closed.GetWinningBidId(),
		HammerPrice:       money(f.Hammer),
		BuyersPremium:     money(f.BuyersPremium),
		BuyerTotal:        money(f.BuyerTotal),
		SellersCommission: money(f.SellersCommission),
		SellerPayout:      money(f.SellerPayout),
		ClosedAt:          closedAt,
		IssuedAt:          timestamppb.New(s.now()),
		FeeSchedule:       fees.Schedule,
	}
	issued, err := s.publish(ctx, invoice)
	if err != nil {
		return "", err
	}
	if !issued {
		return "already issued", nil
	}
	s.logger.InfoContext(ctx, "invoice issued", "lot_id", lotID, "buyer_total", f.BuyerTotal, "currency", f.Currency)
	return "issued", nil
}

// publish issues the invoice inside a producer span whose context the message carries,
// so the notifier's work continues this trace.
func (s *Settler) publish(ctx context.Context, invoice *settlementv1.Invoice) (bool, error) {
	subject := invoices.Subject(invoice.GetLotId())
	ctx, span := tracer.Start(ctx, "send "+names.InvoiceSubjectTemplate, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(messagingAttributes(subject, names.InvoiceSubjectTemplate, "send")...))
	defer span.End()
	header := nats.Header{}
	telemetry.Inject(ctx, header)
	issued, err := s.store.Issue(ctx, invoice, header)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.SetAttributes(attribute.Bool("gavel.settlement.issued", issued))
	return issued, err
}

// opening reads the lot's first event, its listing: the seller and the title.
func (s *Settler) opening(ctx context.Context, lotID string) (*lotv1.LotOpened, error) {
	msg, err := s.lots.GetMsg(ctx, 1, jetstream.WithGetMsgSubject(names.LotSubjectPrefix+"."+lotID))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, permanentError{fmt.Errorf("lot %s has no events", lotID)}
	}
	if err != nil {
		return nil, fmt.Errorf("reading lot %s's listing: %w", lotID, err)
	}
	var first lotv1.LotEvent
	if err := proto.Unmarshal(msg.Data, &first); err != nil || first.GetOpened() == nil {
		return nil, permanentError{fmt.Errorf("lot %s's first event is not its listing", lotID)}
	}
	return first.GetOpened(), nil
}

// messagingAttributes are the messaging conventions' attributes, as libs/telemetry sets them.
func messagingAttributes(subject, template, operation string) []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("messaging.system", "nats"),
		attribute.String("messaging.operation.type", operation),
		attribute.String("messaging.destination.name", subject),
		attribute.String("messaging.destination.template", template),
	}
}
