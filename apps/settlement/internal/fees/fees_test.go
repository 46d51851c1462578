package fees

import (
	"errors"
	"testing"
)

func TestFor(t *testing.T) {
	tests := []struct {
		name       string
		currency   string
		hammer     int64
		premium    int64
		commission int64
	}{
		{"smallest price: 25% of 0.01 rounds half up to 0.01, commission is the whole price", "EUR", 1, 0, 1},
		{"0.02: premium exactly half a cent rounds up", "EUR", 2, 1, 2},
		{"0.03: 0.0075 rounds up", "EUR", 3, 1, 3},
		{"1.00: commission at its minimum, equal to the price", "USD", 1_00, 25, 1_00},
		{"9.99: commission minimum 1.00 over 10% (1.00 vs 0.999)", "EUR", 9_99, 2_50, 1_00},
		{"10.01: 10% is 1.001, rounds to 1.00", "EUR", 10_01, 2_50, 1_00},
		{"10.05: 10% is 1.005, rounds half up", "EUR", 10_05, 2_51, 1_01},
		{"999.99: top of the first tier, less a cent", "GBP", 999_99, 250_00, 100_00},
		{"1,000.00: exactly the first tier's edge", "EUR", 1_000_00, 250_00, 100_00},
		{"1,000.01: one cent into the second tier (0.002)", "EUR", 1_000_01, 250_00, 100_00},
		{"1,000.03: 0.006 in the second tier rounds up", "EUR", 1_000_03, 250_01, 100_00},
		{"50,000.00: the second tier's edge", "CHF", 50_000_00, 250_00 + 9_800_00, 5_000_00},
		{"50,000.01: a cent in the third tier (0.0012) rounds down", "EUR", 50_000_01, 10_050_00, 5_000_00},
		{"100,000.00: all three tiers", "USD", 100_000_00, 250_00 + 9_800_00 + 6_000_00, 10_000_00},
		{"the largest price the schedule covers", "EUR", MaxHammer, 250_00 + 9_800_00 + (MaxHammer-50_000_00)*12/100, MaxHammer / 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := For(tt.currency, tt.hammer)
			if err != nil {
				t.Fatalf("For(%s, %d): %v", tt.currency, tt.hammer, err)
			}
			want := Fees{
				Currency:          tt.currency,
				Hammer:            tt.hammer,
				BuyersPremium:     tt.premium,
				BuyerTotal:        tt.hammer + tt.premium,
				SellersCommission: tt.commission,
				SellerPayout:      tt.hammer - tt.commission,
			}
			if got != want {
				t.Errorf("For(%s, %d)\n got %+v\nwant %+v", tt.currency, tt.hammer, got, want)
			}
		})
	}
}

func TestForRefusesWhatTheScheduleDoesNotCover(t *testing.T) {
	for _, tt := range []struct {
		currency string
		hammer   int64
	}{
		{"JPY", 1000}, // no minor unit
		{"BHD", 1000}, // three decimal places
		{"eur", 1000}, // codes are upper case
		{"", 1000},    // none
		{"EUR", 0},    // nothing sold for nothing
		{"EUR", -5},   // never negative
		{"EUR", MaxHammer + 1},
	} {
		if _, err := For(tt.currency, tt.hammer); !errors.Is(err, ErrUnsupported) {
			t.Errorf("For(%q, %d) = %v, want ErrUnsupported", tt.currency, tt.hammer, err)
		}
	}
}

// The fees always add up, whatever the price: a property over many prices, each tier.
func TestFeesAddUp(t *testing.T) {
	for hammer := int64(1); hammer < 60_000_00; hammer = hammer*3/2 + 7 {
		f, err := For("EUR", hammer)
		if err != nil {
			t.Fatal(err)
		}
		if f.BuyerTotal != f.Hammer+f.BuyersPremium || f.SellerPayout != f.Hammer-f.SellersCommission {
			t.Fatalf("%d: totals do not add up: %+v", hammer, f)
		}
		if f.SellerPayout < 0 || f.BuyersPremium > f.Hammer/4+1 || f.BuyersPremium < f.Hammer*12/100 {
			t.Fatalf("%d: fees out of their bounds: %+v", hammer, f)
		}
	}
}
