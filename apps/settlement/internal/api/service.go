// Package api serves gavel.settlement.v1.SettlementService with connect-go: Connect,
// gRPC and gRPC-Web on one handler, like the TypeScript services.
package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"

	commonv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/common/v1"
	settlementv1 "github.com/gavel-auction/gavel/apps/settlement/gen/gavel/settlement/v1"
	"github.com/gavel-auction/gavel/apps/settlement/gen/gavel/settlement/v1/settlementv1connect"
	"github.com/gavel-auction/gavel/apps/settlement/internal/auth"
	"github.com/gavel-auction/gavel/apps/settlement/internal/invoices"
)

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// Service answers from the INVOICES stream (one invoice) and the index (lists).
type Service struct {
	store *invoices.Store
	index *invoices.Index
}

var _ settlementv1connect.SettlementServiceHandler = (*Service)(nil)

// New serves the invoices of the store and index.
func New(store *invoices.Store, index *invoices.Index) *Service {
	return &Service{store: store, index: index}
}

// GetInvoice answers a sold lot's invoice to its buyer or seller.
func (s *Service) GetInvoice(ctx context.Context, req *connect.Request[settlementv1.GetInvoiceRequest]) (*connect.Response[settlementv1.GetInvoiceResponse], error) {
	caller := callerOf(ctx)
	lotID := req.Msg.GetLotId()
	if !invoices.ValidLotID(lotID) {
		return nil, invalidArgument("lot_id", "must be a lot id (letters, digits, - and _; up to 128)")
	}
	invoice, err := s.store.Get(ctx, lotID)
	if errors.Is(err, invoices.ErrNotFound) {
		return nil, connect.NewError(connect.CodeNotFound,
			fmt.Errorf("lot %s has no invoice: it is unknown, still open, or closed without a sale", lotID))
	}
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, fmt.Errorf("reading the invoice: %w; retry", err))
	}
	if caller != invoice.GetBuyerId() && caller != invoice.GetSellerId() {
		return nil, connect.NewError(connect.CodePermissionDenied,
			errors.New("only the lot's buyer and seller may read its invoice"))
	}
	return connect.NewResponse(&settlementv1.GetInvoiceResponse{Invoice: invoice}), nil
}

// ListInvoices answers one page of the caller's invoices as buyer or seller.
func (s *Service) ListInvoices(ctx context.Context, req *connect.Request[settlementv1.ListInvoicesRequest]) (*connect.Response[settlementv1.ListInvoicesResponse], error) {
	caller := callerOf(ctx)
	var violations []*commonv1.FieldViolation
	role := req.Msg.GetRole()
	if role != settlementv1.InvoiceRole_INVOICE_ROLE_BUYER && role != settlementv1.InvoiceRole_INVOICE_ROLE_SELLER {
		violations = append(violations, &commonv1.FieldViolation{Field: "role", Description: "must be INVOICE_ROLE_BUYER or INVOICE_ROLE_SELLER"})
	}
	size := int(req.Msg.GetPageSize())
	if size < 0 || size > maxPageSize {
		violations = append(violations, &commonv1.FieldViolation{Field: "page_size", Description: fmt.Sprintf("must be from 1 to %d (0 means %d)", maxPageSize, defaultPageSize)})
	}
	if len(violations) > 0 {
		return nil, badRequest(violations)
	}
	if size == 0 {
		size = defaultPageSize
	}
	if !s.index.Ready() {
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("still loading the invoices after a start; retry in a moment"))
	}
	page, next, err := s.index.List(caller, role, size, req.Msg.GetPageToken())
	if errors.Is(err, invoices.ErrBadPageToken) {
		return nil, invalidArgument("page_token", err.Error())
	}
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&settlementv1.ListInvoicesResponse{Invoices: page, NextPageToken: next}), nil
}

// callerOf reads the caller the auth interceptor verified; every route requires one.
func callerOf(ctx context.Context) string {
	id, _ := auth.Caller(ctx)
	return id
}

func invalidArgument(field, description string) error {
	return badRequest([]*commonv1.FieldViolation{{Field: field, Description: description}})
}

// badRequest is INVALID_ARGUMENT with a gavel.common.v1.BadRequest detail listing every
// problem, as libs/service/src/field-violations.ts builds it.
func badRequest(violations []*commonv1.FieldViolation) error {
	parts := make([]string, len(violations))
	for i, v := range violations {
		parts[i] = v.GetField() + ": " + v.GetDescription()
	}
	err := connect.NewError(connect.CodeInvalidArgument, errors.New(strings.Join(parts, "; ")))
	if detail, detailErr := connect.NewErrorDetail(&commonv1.BadRequest{FieldViolations: violations}); detailErr == nil {
		err.AddDetail(detail)
	}
	return err
}
