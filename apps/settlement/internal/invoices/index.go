package invoices

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"

	settlementv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/settlement/v1"
	"github.com/gavel-auction/gavel/apps/settlement/gen/names"
	"github.com/gavel-auction/gavel/apps/settlement/internal/consume"
)

// ErrBadPageToken: a page token this index did not hand out.
var ErrBadPageToken = errors.New("page_token is not one this service returned: start again without it")

// entry is one invoice at its stream sequence, which orders a user's list.
type entry struct {
	seq     uint64
	invoice *settlementv1.Invoice
}

// Index lists each user's invoices as buyer and as seller, newest first. Every replica
// keeps its own, in memory, fed by an ordered consumer of the whole INVOICES stream;
// it is ready once it has read what the stream held when it started (an invoice issued
// since shows up milliseconds later, and GetInvoice reads the stream itself).
type Index struct {
	mu       sync.RWMutex
	byBuyer  map[string][]entry
	bySeller map[string][]entry
	ready    atomic.Bool
	consume  jetstream.ConsumeContext
}

// StartIndex reads the stream from its start and follows it until Stop.
func StartIndex(ctx context.Context, js jetstream.JetStream, logger *slog.Logger) (*Index, error) {
	ix := &Index{byBuyer: map[string][]entry{}, bySeller: map[string][]entry{}}
	stream, err := js.Stream(ctx, names.InvoicesStream)
	if err != nil {
		return nil, err
	}
	caughtUpAt := stream.CachedInfo().State.LastSeq
	if caughtUpAt == 0 {
		ix.ready.Store(true)
	}
	consumer, err := js.OrderedConsumer(ctx, names.InvoicesStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{names.InvoiceSubjectWildcard},
	})
	if err != nil {
		return nil, fmt.Errorf("following %s: %w", names.InvoicesStream, err)
	}
	ix.consume, err = consumer.Consume(func(msg jetstream.Msg) {
		meta, err := msg.Metadata()
		if err != nil {
			return
		}
		if invoice, err := Decode(msg.Data()); err != nil {
			logger.Error("skipping an unreadable invoice message", "subject", msg.Subject(), "seq", meta.Sequence.Stream, "err", err)
		} else {
			ix.add(meta.Sequence.Stream, invoice)
		}
		if meta.Sequence.Stream >= caughtUpAt {
			ix.ready.Store(true)
		}
	}, jetstream.PullExpiry(consume.Expiry))
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// Ready tells whether the index holds every invoice issued before it started.
func (ix *Index) Ready() bool { return ix.ready.Load() }

// Stop stops following the stream.
func (ix *Index) Stop() {
	if ix.consume != nil {
		ix.consume.Stop()
	}
}

func (ix *Index) add(seq uint64, invoice *settlementv1.Invoice) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e := entry{seq: seq, invoice: invoice}
	ix.byBuyer[invoice.GetBuyerId()] = insert(ix.byBuyer[invoice.GetBuyerId()], e)
	ix.bySeller[invoice.GetSellerId()] = insert(ix.bySeller[invoice.GetSellerId()], e)
}

// insert keeps a list in ascending sequence order; an ordered consumer delivers in that
// order, so this appends, except after a consumer reset re-delivers (then it dedupes).
func insert(list []entry, e entry) []entry {
	i := sort.Search(len(list), func(i int) bool { return list[i].seq >= e.seq })
	if i < len(list) && list[i].seq == e.seq {
		return list
	}
	list = append(list, entry{})
	copy(list[i+1:], list[i:])
	list[i] = e
	return list
}

// List answers one page of a user's invoices in a role, newest first, and the token of
// the next page ("" on the last).
func (ix *Index) List(userID string, role settlementv1.InvoiceRole, pageSize int, pageToken string) ([]*settlementv1.Invoice, string, error) {
	before := uint64(0)
	if pageToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(pageToken)
		if err != nil {
			return nil, "", ErrBadPageToken
		}
		seq, err := strconv.ParseUint(string(raw), 10, 64)
		if err != nil || seq == 0 {
			return nil, "", ErrBadPageToken
		}
		before = seq
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	list := ix.byBuyer[userID]
	if role == settlementv1.InvoiceRole_INVOICE_ROLE_SELLER {
		list = ix.bySeller[userID]
	}
	end := len(list) // entries before `end` are older than the cursor
	if before != 0 {
		end = sort.Search(len(list), func(i int) bool { return list[i].seq >= before })
	}
	page := make([]*settlementv1.Invoice, 0, min(pageSize, end))
	for i := end - 1; i >= 0 && len(page) < pageSize; i-- {
		page = append(page, list[i].invoice)
	}
	next := ""
	if oldest := end - len(page); oldest > 0 {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(list[oldest].seq, 10)))
	}
	return page, next, nil
}
