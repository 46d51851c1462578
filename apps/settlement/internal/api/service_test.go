package api

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	commonv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/common/v1"
	settlementv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/settlement/v1"
	"github.com/gavel-auction/gavel/apps/settlement/gen/gavel/settlement/v1/settlementv1connect"
	"github.com/gavel-auction/gavel/apps/settlement/internal/auth"
	"github.com/gavel-auction/gavel/apps/settlement/internal/invoices"
	"github.com/gavel-auction/gavel/apps/settlement/internal/natstest"
)

// fixture: the service on a real NATS with invoices issued through the store, served
// over HTTP/2 (TLS, as httptest offers it) so both the Connect and gRPC protocols run.
type fixture struct {
	server *httptest.Server
	key    ed25519.PrivateKey
	store  *invoices.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	server := natstest.Start(t)
	nc, err := nats.Connect(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	store, err := invoices.Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	public, private, _ := ed25519.GenerateKey(rand.Reader)
	f := &fixture{key: private, store: store}
	// Six sold by seller-1: lots 0-4 won by buyer-1, lot 5 by buyer-2.
	for i := range 6 {
		buyer := "buyer-1"
		if i == 5 {
			buyer = "buyer-2"
		}
		f.issue(t, fmt.Sprintf("lot-%d", i), buyer, "seller-1")
	}
	index, err := invoices.StartIndex(ctx, js, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(index.Stop)
	deadline := time.Now().Add(5 * time.Second)
	for !index.Ready() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mux := http.NewServeMux()
	mux.Handle(settlementv1connect.NewSettlementServiceHandler(New(store, index),
		connect.WithInterceptors(auth.Interceptor(auth.NewVerifier(public, nil)))))
	f.server = httptest.NewUnstartedServer(mux)
	f.server.EnableHTTP2 = true
	f.server.StartTLS()
	t.Cleanup(f.server.Close)
	return f
}

func (f *fixture) issue(t *testing.T, lot, buyer, seller string) {
	t.Helper()
	issued, err := f.store.Issue(context.Background(), &settlementv1.Invoice{
		LotId: lot, BuyerId: buyer, SellerId: seller,
		HammerPrice: &commonv1.Money{CurrencyCode: "EUR", AmountMinor: 10_00},
	}, nil)
	if err != nil || !issued {
		t.Fatalf("issuing %s: %v %v", lot, issued, err)
	}
}

func (f *fixture) token(t *testing.T, user string, mutate func(*jwt.RegisteredClaims)) string {
	t.Helper()
	claims := jwt.RegisteredClaims{Subject: user, Issuer: auth.Issuer, Audience: jwt.ClaimStrings{auth.Audience},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}
	if mutate != nil {
		mutate(&claims)
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims).SignedString(f.key)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// clients: one per wire protocol the service speaks.
func (f *fixture) clients() map[string]settlementv1connect.SettlementServiceClient {
	return map[string]settlementv1connect.SettlementServiceClient{
		"connect":  settlementv1connect.NewSettlementServiceClient(f.server.Client(), f.server.URL),
		"grpc":     settlementv1connect.NewSettlementServiceClient(f.server.Client(), f.server.URL, connect.WithGRPC()),
		"grpc-web": settlementv1connect.NewSettlementServiceClient(f.server.Client(), f.server.URL, connect.WithGRPCWeb()),
	}
}

func as[T any](token string, msg *T) *connect.Request[T] {
	req := connect.NewRequest(msg)
	if token != "" {
		req.Header().Set("Authorization", "Bearer "+token)
	}
	return req
}

func codeOf(err error) connect.Code {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Code()
	}
	return connect.CodeUnknown
}

func TestGetInvoice(t *testing.T) {
	f := newFixture(t)
	for protocol, client := range f.clients() {
		t.Run(protocol, func(t *testing.T) {
			ctx := context.Background()
			for _, user := range []string{"buyer-1", "seller-1"} {
				res, err := client.GetInvoice(ctx, as(f.token(t, user, nil), &settlementv1.GetInvoiceRequest{LotId: "lot-2"}))
				if err != nil || res.Msg.GetInvoice().GetLotId() != "lot-2" {
					t.Errorf("%s reading their invoice: %v", user, err)
				}
			}
			for _, tt := range []struct {
				name  string
				token string
				lot   string
				want  connect.Code
			}{
				{"another user's invoice", f.token(t, "buyer-2", nil), "lot-2", connect.CodePermissionDenied},
				{"a lot without an invoice", f.token(t, "buyer-1", nil), "lot-99", connect.CodeNotFound},
				{"a lot id that is not one", f.token(t, "buyer-1", nil), "gavel.>", connect.CodeInvalidArgument},
				{"no token", "", "lot-2", connect.CodeUnauthenticated},
				{"a token that is not one", "abc.def.ghi", "lot-2", connect.CodeUnauthenticated},
				{"an expired token", f.token(t, "buyer-1", func(c *jwt.RegisteredClaims) {
					c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Minute))
				}), "lot-2", connect.CodeUnauthenticated},
			} {
				_, err := client.GetInvoice(ctx, as(tt.token, &settlementv1.GetInvoiceRequest{LotId: tt.lot}))
				if codeOf(err) != tt.want {
					t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
				}
			}
		})
	}
}

func TestListInvoicesPagesNewestFirst(t *testing.T) {
	f := newFixture(t)
	client := f.clients()["connect"]
	ctx := context.Background()
	seller := f.token(t, "seller-1", nil)
	var lots []string
	token := ""
	for pages := 0; ; pages++ {
		res, err := client.ListInvoices(ctx, as(seller, &settlementv1.ListInvoicesRequest{
			Role: settlementv1.InvoiceRole_INVOICE_ROLE_SELLER, PageSize: 4, PageToken: token}))
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range res.Msg.GetInvoices() {
			lots = append(lots, inv.GetLotId())
		}
		if token = res.Msg.GetNextPageToken(); token == "" {
			if pages != 1 {
				t.Errorf("%d pages of 4 for 6 invoices, want 2", pages+1)
			}
			break
		}
	}
	if fmt.Sprint(lots) != "[lot-5 lot-4 lot-3 lot-2 lot-1 lot-0]" {
		t.Errorf("seller's invoices: %v", lots)
	}

	res, err := client.ListInvoices(ctx, as(f.token(t, "buyer-2", nil), &settlementv1.ListInvoicesRequest{Role: settlementv1.InvoiceRole_INVOICE_ROLE_BUYER}))
	if err != nil || len(res.Msg.GetInvoices()) != 1 || res.Msg.GetInvoices()[0].GetLotId() != "lot-5" {
		t.Errorf("buyer-2 as buyer: %v %v", res, err)
	}
	res, err = client.ListInvoices(ctx, as(f.token(t, "buyer-2", nil), &settlementv1.ListInvoicesRequest{Role: settlementv1.InvoiceRole_INVOICE_ROLE_SELLER}))
	if err != nil || len(res.Msg.GetInvoices()) != 0 {
		t.Errorf("buyer-2 as seller sold nothing: %v %v", res, err)
	}

	for _, tt := range []struct {
		name string
		req  *settlementv1.ListInvoicesRequest
	}{
		{"no role", &settlementv1.ListInvoicesRequest{}},
		{"page too large", &settlementv1.ListInvoicesRequest{Role: settlementv1.InvoiceRole_INVOICE_ROLE_BUYER, PageSize: 101}},
		{"negative page size", &settlementv1.ListInvoicesRequest{Role: settlementv1.InvoiceRole_INVOICE_ROLE_BUYER, PageSize: -1}},
		{"a made-up page token", &settlementv1.ListInvoicesRequest{Role: settlementv1.InvoiceRole_INVOICE_ROLE_BUYER, PageToken: "%%%"}},
	} {
		_, err := client.ListInvoices(ctx, as(seller, tt.req))
		if codeOf(err) != connect.CodeInvalidArgument {
			t.Errorf("%s: got %v, want invalid_argument", tt.name, err)
			continue
		}
		var ce *connect.Error
		errors.As(err, &ce)
		if len(ce.Details()) != 1 {
			t.Errorf("%s: want one BadRequest detail, got %d", tt.name, len(ce.Details()))
		}
	}
}
