// Package config reads the settlement service's settings from the environment, the same
// variables the TypeScript services read, and refuses a bad one with its name and why.
package config

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config is everything the service reads at start.
type Config struct {
	Host      string
	Port      int
	AdminPort int
	LogLevel  string
	// NATS servers, and the service's own NATS user when the server has users.
	NATSURLs     []string
	NATSUser     string
	NATSPassword string
	// The identity service's public key: the service verifies callers' tokens itself.
	JWTPublicKey   ed25519.PublicKey
	StreamReplicas int
	ShutdownGrace  time.Duration
}

// Error lists every setting that is wrong, each with its variable's name.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "invalid configuration:\n  " + strings.Join(e.Problems, "\n  ")
}

// Load reads the settings from `getenv` (os.Getenv in main), defaults as in
// libs/config/src/ports.ts and schemas.ts.
func Load(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		Host:           r.str("HOST", "0.0.0.0"),
		Port:           r.port("PORT", 7104),
		AdminPort:      r.port("ADMIN_PORT", 9104),
		LogLevel:       r.oneOf("LOG_LEVEL", "info", "trace", "debug", "info", "warn", "error", "fatal", "silent"),
		NATSURLs:       r.list("NATS_URL", "nats://127.0.0.1:4222"),
		NATSUser:       getenv("NATS_USER"),
		NATSPassword:   getenv("NATS_PASSWORD"),
		JWTPublicKey:   r.publicKey("GAVEL_JWT_PUBLIC_KEY"),
		StreamReplicas: r.intIn("GAVEL_STREAM_REPLICAS", 1, 1, 5),
		ShutdownGrace:  time.Duration(r.intIn("SHUTDOWN_GRACE_MS", 10_000, 0, 120_000)) * time.Millisecond,
	}
	if c.Port == c.AdminPort {
		r.fail("ADMIN_PORT", "must differ from PORT")
	}
	if (c.NATSUser == "") != (c.NATSPassword == "") {
		r.fail("NATS_PASSWORD", "set both NATS_USER and NATS_PASSWORD, or neither")
	}
	if len(r.problems) > 0 {
		return Config{}, &Error{Problems: r.problems}
	}
	return c, nil
}

type reader struct {
	getenv   func(string) string
	problems []string
}

func (r *reader) fail(name, why string) {
	r.problems = append(r.problems, fmt.Sprintf("%s: %s", name, why))
}

func (r *reader) str(name, fallback string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return fallback
}

func (r *reader) intIn(name string, fallback, lo, hi int) int {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return fallback
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be a whole number from %d to %d, not %q", lo, hi, v))
		return fallback
	}
	return n
}

func (r *reader) port(name string, fallback int) int { return r.intIn(name, fallback, 0, 65535) }

func (r *reader) oneOf(name, fallback string, allowed ...string) string {
	v := r.str(name, fallback)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, fmt.Sprintf("must be one of %s, not %q", strings.Join(allowed, ", "), v))
	return fallback
}

func (r *reader) list(name, fallback string) []string {
	var out []string
	for _, item := range strings.Split(r.str(name, fallback), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	if len(out) == 0 {
		r.fail(name, "must list at least one server")
	}
	return out
}

// publicKey reads a PEM "PUBLIC KEY" block holding an Ed25519 key; like the TypeScript
// services it accepts literal "\n" escapes, as some secret stores flatten newlines.
func (r *reader) publicKey(name string) ed25519.PublicKey {
	v := strings.TrimSpace(strings.ReplaceAll(r.getenv(name), `\n`, "\n"))
	if v == "" {
		r.fail(name, "required: the identity service's Ed25519 public key, PEM")
		return nil
	}
	key, err := parsePublicKey([]byte(v))
	if err != nil {
		r.fail(name, err.Error())
	}
	return key
}

func parsePublicKey(data []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New(`must be a PEM "PUBLIC KEY" block`)
	}
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a public key: %v", err)
	}
	key, ok := parsed.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("must be an Ed25519 key (tokens are EdDSA), not %T", parsed)
	}
	return key, nil
}
