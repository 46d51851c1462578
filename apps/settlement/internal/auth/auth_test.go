package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func claims(mutate func(*jwt.RegisteredClaims)) jwt.RegisteredClaims {
	c := jwt.RegisteredClaims{
		Subject:   "user-1",
		Issuer:    Issuer,
		Audience:  jwt.ClaimStrings{Audience},
		IssuedAt:  jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}
	if mutate != nil {
		mutate(&c)
	}
	return c
}

func sign(t *testing.T, key ed25519.PrivateKey, c jwt.RegisteredClaims) string {
	t.Helper()
	token, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestVerify(t *testing.T) {
	public, private, _ := ed25519.GenerateKey(rand.Reader)
	_, otherPrivate, _ := ed25519.GenerateKey(rand.Reader)
	v := NewVerifier(public, func() time.Time { return now })

	valid := sign(t, private, claims(nil))
	if id, err := v.Verify(valid); err != nil || id != "user-1" {
		t.Fatalf("valid token: %q, %v", id, err)
	}

	// alg none, and HS256 keyed with the public key (the classic confusion attack).
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs256, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString([]byte(public))
	parts := strings.Split(valid, ".")

	for _, tt := range []struct {
		name, token, want string
	}{
		{"alg none", none, "token rejected"},
		{"HS256 signed with the public key", hs256, "token rejected"},
		{"another key", sign(t, otherPrivate, claims(nil)), "signature is invalid"},
		{"tampered payload", parts[0] + "." + parts[1] + "x." + parts[2], "token rejected"},
		{"expired", sign(t, private, claims(func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute)) })), "expired"},
		{"expired within the leeway is still valid", "", ""},
		{"not yet valid", sign(t, private, claims(func(c *jwt.RegisteredClaims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Minute)) })), "not valid yet"},
		{"wrong issuer", sign(t, private, claims(func(c *jwt.RegisteredClaims) { c.Issuer = "someone" })), "issuer"},
		{"wrong audience", sign(t, private, claims(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"other"} })), "audience"},
		{"no expiry", sign(t, private, claims(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil })), "required claim"},
		{"no subject", sign(t, private, claims(func(c *jwt.RegisteredClaims) { c.Subject = "" })), "no subject"},
		{"garbage", "not.a.token", "malformed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.token == "" {
				ok := sign(t, private, claims(func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-3 * time.Second)) }))
				if _, err := v.Verify(ok); err != nil {
					t.Fatalf("3 s past expiry, inside the 5 s leeway: %v", err)
				}
				return
			}
			id, err := v.Verify(tt.token)
			if err == nil {
				t.Fatalf("accepted as %q", id)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}
