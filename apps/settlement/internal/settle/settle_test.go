package settle

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/common/v1"
	lotv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/lot/v1"
	"github.com/gavel-auction/gavel/apps/settlement/gen/names"
	"github.com/gavel-auction/gavel/apps/settlement/internal/invoices"
	"github.com/gavel-auction/gavel/apps/settlement/internal/natstest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// replica is one settlement process's NATS side: its own connection, store and settler.
type replica struct {
	nc      *nats.Conn
	settler *Settler
}

func startReplica(t *testing.T, url string) *replica {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	store, err := invoices.Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	settler, err := Start(ctx, js, store, quiet)
	if err != nil {
		t.Fatal(err)
	}
	r := &replica{nc: nc, settler: settler}
	t.Cleanup(r.stop)
	return r
}

func (r *replica) stop() {
	if r.nc.IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.settler.Stop(ctx)
	r.nc.Close()
}

// market appends lot events as the bidding and catalog services do, on a real NATS.
type market struct {
	t  *testing.T
	js jetstream.JetStream
}

func newMarket(t *testing.T, url string) *market {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	_, err = js.CreateStream(context.Background(), jetstream.StreamConfig{
		Name: names.LotEventsStream, Subjects: []string{names.LotSubjectWildcard}, AllowDirect: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &market{t: t, js: js}
}

func eur(minor int64) *commonv1.Money {
	return &commonv1.Money{CurrencyCode: "EUR", AmountMinor: minor}
}

func (m *market) append(event *lotv1.LotEvent) {
	m.t.Helper()
	data, err := proto.Marshal(event)
	if err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.js.Publish(context.Background(), names.LotSubjectPrefix+"."+event.GetLotId(), data); err != nil {
		m.t.Fatal(err)
	}
}

// sold lists a lot and closes it sold to `buyer` at `hammer` minor units of `currency`.
func (m *market) sold(lotID, buyer, currency string, hammer int64) {
	m.listed(lotID)
	m.append(&lotv1.LotEvent{LotId: lotID, Kind: &lotv1.LotEvent_BidAccepted{BidAccepted: &lotv1.BidAccepted{
		BidId: "bid-" + lotID, BidderId: buyer, Amount: &commonv1.Money{CurrencyCode: currency, AmountMinor: hammer},
	}}})
	m.closed(lotID, &lotv1.LotClosed{WinnerId: buyer, WinningBidId: "bid-" + lotID, ReserveMet: true, BidCount: 1,
		HammerPrice: &commonv1.Money{CurrencyCode: currency, AmountMinor: hammer}})
}

func (m *market) listed(lotID string) {
	m.append(&lotv1.LotEvent{LotId: lotID, Kind: &lotv1.LotEvent_Opened{Opened: &lotv1.LotOpened{
		SellerId: "seller-1", Title: "Lamp " + lotID, StartingPrice: eur(1_00),
	}}})
}

func (m *market) closed(lotID string, closed *lotv1.LotClosed) {
	closed.EndedAt = timestamppb.Now()
	m.append(&lotv1.LotEvent{LotId: lotID, OccurredAt: timestamppb.Now(), Kind: &lotv1.LotEvent_Closed{Closed: closed}})
}

// invoicesOf counts the messages on each lot's invoice subject.
func invoicesOf(t *testing.T, url string) map[string]uint64 {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	stream, err := js.Stream(context.Background(), names.InvoicesStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(context.Background(), jetstream.WithSubjectFilter(names.InvoiceSubjectWildcard))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for subject, n := range info.State.Subjects {
		counts[subject[len(names.InvoiceSubjectPrefix)+1:]] = n
	}
	return counts
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settled waits until the replica's consumer has nothing pending or unacknowledged.
func settled(t *testing.T, r *replica) {
	t.Helper()
	waitFor(t, "the lot events to be settled", func() bool {
		info, err := r.settler.consumerInfo()
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	})
}

func storeOf(t *testing.T, r *replica) *invoices.Store {
	t.Helper()
	js, _ := jetstream.New(r.nc)
	store, err := invoices.Open(context.Background(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	return store
}

func TestExactlyOneInvoicePerSoldLot(t *testing.T) {
	server := natstest.Start(t)
	m := newMarket(t, server.URL)
	a, b := startReplica(t, server.URL), startReplica(t, server.URL)

	const lots = 40
	for i := range lots {
		m.sold(fmt.Sprintf("lot-%02d", i), fmt.Sprintf("buyer-%d", i%3), "EUR", int64(1_000_00+i))
	}
	m.listed("unsold")
	m.closed("unsold", &lotv1.LotClosed{BidCount: 0})
	m.listed("under-reserve")
	m.closed("under-reserve", &lotv1.LotClosed{ReserveMet: false, BidCount: 2, HammerPrice: eur(5_00)})

	waitFor(t, "40 invoices", func() bool { return len(invoicesOf(t, server.URL)) == lots })

	// A forced redelivery of everything: the durable consumer is lost and created again
	// (as after an operator's reset), so every close arrives a second time, at a replica
	// restarted meanwhile, and a duplicate close message arrives too.
	a.stop()
	js, _ := jetstream.New(b.nc)
	if err := js.DeleteConsumer(context.Background(), names.LotEventsStream, names.SettlementConsumer); err != nil {
		t.Fatal(err)
	}
	b.stop()
	m.closed("lot-00", &lotv1.LotClosed{WinnerId: "buyer-0", ReserveMet: true, HammerPrice: eur(1_000_00)})
	c, d := startReplica(t, server.URL), startReplica(t, server.URL)
	settled(t, c)
	settled(t, d)

	counts := invoicesOf(t, server.URL)
	if len(counts) != lots {
		t.Fatalf("%d lots invoiced, want %d: %v", len(counts), lots, counts)
	}
	for lot, n := range counts {
		if n != 1 {
			t.Errorf("lot %s has %d invoices", lot, n)
		}
	}
	if _, ok := counts["unsold"]; ok {
		t.Error("a lot without bids was invoiced")
	}
	if _, ok := counts["under-reserve"]; ok {
		t.Error("a lot under its reserve was invoiced")
	}
}

func TestTheInvoiceCarriesTheListingAndTheFees(t *testing.T) {
	server := natstest.Start(t)
	m := newMarket(t, server.URL)
	r := startReplica(t, server.URL)
	m.sold("lot-a", "buyer-7", "EUR", 1_000_03)
	settled(t, r)

	invoice, err := storeOf(t, r).Get(context.Background(), "lot-a")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"title": invoice.GetLotTitle(), "buyer": invoice.GetBuyerId(), "seller": invoice.GetSellerId(),
		"bid": invoice.GetWinningBidId(), "hammer": invoice.GetHammerPrice().GetAmountMinor(),
		"premium": invoice.GetBuyersPremium().GetAmountMinor(), "total": invoice.GetBuyerTotal().GetAmountMinor(),
		"commission": invoice.GetSellersCommission().GetAmountMinor(), "payout": invoice.GetSellerPayout().GetAmountMinor(),
		"currency": invoice.GetBuyerTotal().GetCurrencyCode(), "schedule": invoice.GetFeeSchedule(),
	}
	want := map[string]any{
		"title": "Lamp lot-a", "buyer": "buyer-7", "seller": "seller-1", "bid": "bid-lot-a",
		"hammer": int64(1_000_03), "premium": int64(250_01), "total": int64(1_250_04),
		"commission": int64(100_00), "payout": int64(900_03), "currency": "EUR", "schedule": "2026-11",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if invoice.GetClosedAt() == nil || invoice.GetIssuedAt() == nil {
		t.Error("closed_at and issued_at must be set")
	}
}

func TestBadMessagesAreTerminatedAndTheNextLotIsSettled(t *testing.T) {
	server := natstest.Start(t)
	m := newMarket(t, server.URL)
	r := startReplica(t, server.URL)

	if _, err := m.js.Publish(context.Background(), names.LotSubjectPrefix+".garbage", []byte{0xff, 0x01, 0x02}); err != nil {
		t.Fatal(err)
	}
	// Closed sold in a currency the fee schedule does not cover: no retry can settle it.
	m.sold("lot-yen", "buyer-1", "JPY", 5000)
	// Closed, but its listing is missing: nothing to invoice from.
	m.closed("no-listing", &lotv1.LotClosed{WinnerId: "buyer-1", ReserveMet: true, HammerPrice: eur(5_00)})
	m.sold("lot-ok", "buyer-2", "EUR", 20_00)
	settled(t, r)

	counts := invoicesOf(t, server.URL)
	if len(counts) != 1 || counts["lot-ok"] != 1 {
		t.Fatalf("invoices: %v, want only lot-ok", counts)
	}
	info, _ := r.settler.consumerInfo()
	if info.NumRedelivered != 0 {
		t.Errorf("%d messages redelivered: bad messages must be terminated, not retried", info.NumRedelivered)
	}
}
