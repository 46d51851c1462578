package config

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"
)

func pemOf(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestLoadDefaults(t *testing.T) {
	public, _, _ := ed25519.GenerateKey(rand.Reader)
	// Flattened newlines, as some secret stores hand them over.
	flat := strings.ReplaceAll(pemOf(t, public), "\n", `\n`)
	c, err := Load(env(map[string]string{"GAVEL_JWT_PUBLIC_KEY": flat}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 7104 || c.AdminPort != 9104 ||
		c.StreamReplicas != 1 || c.ShutdownGrace != 10*time.Second || c.LogLevel != "info" ||
		len(c.NATSURLs) != 1 || !public.Equal(c.JWTPublicKey) {
		t.Errorf("defaults: %+v", c)
	}
}

func TestLoadNamesEveryBadSetting(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, err := Load(env(map[string]string{
		"GAVEL_JWT_PUBLIC_KEY":  pemOf(t, &ecKey.PublicKey),
		"PORT":                  "http",
		"GAVEL_STREAM_REPLICAS": "7",
		"LOG_LEVEL":             "loud",
		"NATS_URL":              " , ",
		"NATS_USER":             "settlement",
	}))
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("want a config error, got %v", err)
	}
	for _, name := range []string{"GAVEL_JWT_PUBLIC_KEY: must be an Ed25519 key", "PORT:", "GAVEL_STREAM_REPLICAS:", "LOG_LEVEL:", "NATS_URL:", "NATS_PASSWORD:"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %q:\n%v", name, err)
		}
	}
}

func TestLoadRequiresTheKey(t *testing.T) {
	_, err := Load(env(map[string]string{}))
	if err == nil || !strings.Contains(err.Error(), "GAVEL_JWT_PUBLIC_KEY: required") {
		t.Fatalf("got %v", err)
	}
	_, err = Load(env(map[string]string{"GAVEL_JWT_PUBLIC_KEY": "not a pem"}))
	if err == nil || !strings.Contains(err.Error(), `PEM "PUBLIC KEY"`) {
		t.Fatalf("got %v", err)
	}
}
