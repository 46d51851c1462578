// Package fees computes what a sold lot costs its buyer and pays its seller, in integer
// minor units, by fee schedule "2026-11": a tiered buyer's premium and a seller's
// commission, each computed exactly and rounded once, half up. Pure: no clock, no I/O.
// The schedule: apps/settlement/README.md#fee-schedule-2026-11-internalfees
package fees

import (
	"errors"
	"fmt"
)

// Schedule names the rules below; it is stored on every invoice.
const Schedule = "2026-11"

// tier: the rate in basis points that applies to the part of the price below `upTo`
// (minor units; 0 means no upper bound).
type tier struct {
	upTo int64
	bp   int64
}

var premiumTiers = []tier{
	{upTo: 1_000_00, bp: 2500},
	{upTo: 50_000_00, bp: 2000},
	{upTo: 0, bp: 1200},
}

const (
	commissionBP      = 1000
	minimumCommission = 1_00
	basisPoints       = 10_000
	// MaxHammer keeps every product in int64: 10^15 minor units (10 trillion in the
	// currency) times 2,500 basis points is under 2^63.
	MaxHammer = 1_000_000_000_000_000
)

// Currencies the schedule is written for: two decimal places each.
var currencies = map[string]bool{"EUR": true, "USD": true, "GBP": true, "CHF": true}

// ErrUnsupported is returned for a currency or an amount the schedule does not cover.
var ErrUnsupported = errors.New("not covered by the fee schedule")

// Fees is one sold lot's invoice arithmetic, all in minor units of Currency.
type Fees struct {
	Currency          string
	Hammer            int64
	BuyersPremium     int64
	BuyerTotal        int64
	SellersCommission int64
	SellerPayout      int64
}

// For computes the fees of a lot sold at `hammer` minor units of `currency`.
func For(currency string, hammer int64) (Fees, error) {
	if !currencies[currency] {
		return Fees{}, fmt.Errorf("currency %q: %w", currency, ErrUnsupported)
	}
	if hammer <= 0 || hammer > MaxHammer {
		return Fees{}, fmt.Errorf("hammer price %d: %w (1 to %d minor units)", hammer, ErrUnsupported, int64(MaxHammer))
	}
	premium := buyersPremium(hammer)
	commission := min(max(roundHalfUp(hammer*commissionBP), minimumCommission), hammer)
	return Fees{
		Currency:          currency,
		Hammer:            hammer,
		BuyersPremium:     premium,
		BuyerTotal:        hammer + premium,
		SellersCommission: commission,
		SellerPayout:      hammer - commission,
	}, nil
}

// buyersPremium sums each tier's rate on the part of the price inside it, exactly, then
// rounds the sum once.
func buyersPremium(hammer int64) int64 {
	var scaled, from int64
	for _, t := range premiumTiers {
		to := hammer
		if t.upTo != 0 && t.upTo < hammer {
			to = t.upTo
		}
		if to > from {
			scaled += (to - from) * t.bp
		}
		if t.upTo == 0 || hammer <= t.upTo {
			break
		}
		from = t.upTo
	}
	return roundHalfUp(scaled)
}

// roundHalfUp turns ten-thousandths of a minor unit into minor units, halves up.
func roundHalfUp(scaled int64) int64 {
	return (scaled + basisPoints/2) / basisPoints
}
