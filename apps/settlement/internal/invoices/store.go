// Package invoices keeps the invoices in the INVOICES stream: one subject per sold lot,
// gavel.invoice.<lot id>, whose one and only message is the InvoiceReady event. The names
// come from gen/names, generated from libs/nats/src/names.ts.
package invoices

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	settlementv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/settlement/v1"
	"github.com/gavel-auction/gavel/apps/settlement/gen/names"
)

// ErrNotFound: no invoice for that lot (unknown lot, not closed, or closed unsold).
var ErrNotFound = errors.New("no invoice for this lot")

// safeToken is what a lot id must look like to be one token of a subject.
var safeToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// ValidLotID tells whether id can name a lot's subjects (the ids are UUIDs).
func ValidLotID(id string) bool { return safeToken.MatchString(id) }

// Subject is the subject of one lot's invoice.
func Subject(lotID string) string { return names.InvoiceSubjectPrefix + "." + lotID }

// Store issues and reads invoices.
type Store struct {
	js     jetstream.JetStream
	stream jetstream.Stream
}

// Open creates the INVOICES stream, or brings its settings up to date.
func Open(ctx context.Context, js jetstream.JetStream, replicas int) (*Store, error) {
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        names.InvoicesStream,
		Description: "Invoices of sold lots, one subject per lot (apps/settlement)",
		Subjects:    []string{names.InvoiceSubjectWildcard},
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
		// Reads go straight to any replica: an invoice never changes once written.
		AllowDirect: true,
		Duplicates:  2 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", names.InvoicesStream, err)
	}
	return &Store{js: js, stream: stream}, nil
}

// Issue appends the invoice's InvoiceReady event, only while the lot's subject is empty:
// JetStream checks the expected last sequence (0) atomically, so of any number of
// replicas and redeliveries exactly one issues the invoice. Answers false, without
// error, when it was issued already. The header carries the trace context.
func (s *Store) Issue(ctx context.Context, invoice *settlementv1.Invoice, header nats.Header) (bool, error) {
	data, err := proto.Marshal(&settlementv1.InvoiceReady{Invoice: invoice})
	if err != nil {
		return false, err
	}
	msg := &nats.Msg{Subject: Subject(invoice.GetLotId()), Data: data, Header: header}
	_, err = s.js.PublishMsg(ctx, msg,
		jetstream.WithExpectLastSequencePerSubject(0),
		jetstream.WithMsgID("invoice:"+invoice.GetLotId()))
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("issuing the invoice of lot %s: %w", invoice.GetLotId(), err)
	}
	return true, nil
}

// Get reads a lot's invoice.
func (s *Store) Get(ctx context.Context, lotID string) (*settlementv1.Invoice, error) {
	msg, err := s.stream.GetLastMsgForSubject(ctx, Subject(lotID))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return Decode(msg.Data)
}

// Decode reads an InvoiceReady message's invoice.
func Decode(data []byte) (*settlementv1.Invoice, error) {
	var event settlementv1.InvoiceReady
	if err := proto.Unmarshal(data, &event); err != nil {
		return nil, fmt.Errorf("not an InvoiceReady message: %w", err)
	}
	if event.GetInvoice().GetLotId() == "" {
		return nil, errors.New("InvoiceReady without an invoice")
	}
	return event.GetInvoice(), nil
}
