// Package auth verifies the access tokens the identity service signs (EdDSA JWTs) and
// puts the caller on the context of every Connect call. The settlement service checks
// tokens itself, as every Gavel service does: the network is not the trust boundary.
package auth

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/golang-jwt/jwt/v5"
)

// The claims every Gavel token carries (libs/auth/src/tokens.ts).
const (
	Issuer   = "gavel-identity"
	Audience = "gavel"
	// Clock skew allowed between the identity service and this one.
	leeway = 5 * time.Second
)

// Verifier checks a token's signature and claims with the identity service's public key.
type Verifier struct {
	key    ed25519.PublicKey
	parser *jwt.Parser
}

// NewVerifier accepts only EdDSA tokens from the identity service for Gavel, with an
// expiry; `now` is injectable for tests (nil: the clock).
func NewVerifier(key ed25519.PublicKey, now func() time.Time) *Verifier {
	options := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"EdDSA"}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(leeway),
	}
	if now != nil {
		options = append(options, jwt.WithTimeFunc(now))
	}
	return &Verifier{key: key, parser: jwt.NewParser(options...)}
}

// Verify answers the user id a valid token was issued to, or why it is not valid.
func (v *Verifier) Verify(token string) (string, error) {
	claims := jwt.RegisteredClaims{}
	_, err := v.parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		// Never let the token choose how it is checked: only Ed25519, only our key.
		if _, ok := t.Method.(*jwt.SigningMethodEd25519); !ok {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return v.key, nil
	})
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", errors.New("token expired: sign in again")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "", errors.New("token not valid yet")
	case err != nil:
		return "", fmt.Errorf("token rejected: %v", reason(err))
	case claims.Subject == "":
		return "", errors.New("token rejected: no subject")
	}
	return claims.Subject, nil
}

// reason keeps the first line of jwt's error chain: what failed, not the whole story.
func reason(err error) string {
	for _, known := range []error{jwt.ErrTokenMalformed, jwt.ErrTokenSignatureInvalid, jwt.ErrTokenUnverifiable, jwt.ErrTokenInvalidIssuer, jwt.ErrTokenInvalidAudience, jwt.ErrTokenRequiredClaimMissing} {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	return "invalid token"
}

type callerKey struct{}

// Caller is the verified user id on a call's context; ok is false on an anonymous call,
// which the interceptor lets through for handlers that allow it (none here do).
func Caller(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(callerKey{}).(string)
	return id, ok
}

// WithCaller puts a verified caller on a context (the interceptor does; tests may).
func WithCaller(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, callerKey{}, userID)
}

// Interceptor requires a valid bearer token on every call: UNAUTHENTICATED otherwise,
// with a message that says what to do.
func Interceptor(v *Verifier) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			header := req.Header().Get("Authorization")
			token, found := strings.CutPrefix(header, "Bearer ")
			if !found || strings.TrimSpace(token) == "" {
				return nil, connect.NewError(connect.CodeUnauthenticated,
					errors.New("this call needs a token: send Authorization: Bearer <access token from sign-in>"))
			}
			userID, err := v.Verify(strings.TrimSpace(token))
			if err != nil {
				return nil, connect.NewError(connect.CodeUnauthenticated, err)
			}
			return next(WithCaller(ctx, userID), req)
		}
	}
}
