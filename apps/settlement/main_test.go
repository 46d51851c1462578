package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gavel-auction/gavel/apps/settlement/gen/names"
	"github.com/gavel-auction/gavel/apps/settlement/internal/natstest"
)

// The real binary, as the image runs it: built once for these tests.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "settlement")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func publicKeyPEM(t *testing.T) string {
	t.Helper()
	public, _, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(public)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestBadConfigExits78NamingTheVariable(t *testing.T) {
	cmd := exec.Command(build(t))
	cmd.Env = []string{"GAVEL_JWT_PUBLIC_KEY=nope", "PORT=99999"}
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 78 {
		t.Fatalf("exit %v, want 78\n%s", err, out)
	}
	for _, name := range []string{"GAVEL_JWT_PUBLIC_KEY", "PORT"} {
		if !bytes.Contains(out, []byte(name)) {
			t.Errorf("output does not name %s:\n%s", name, out)
		}
	}
}

func TestStartsReadyOnceTheLotStreamExistsAndStopsGracefully(t *testing.T) {
	bin := build(t)
	server := natstest.Start(t)
	admin := freePort(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env = []string{
		"NATS_URL=" + server.URL, "PORT=" + freePort(t), "ADMIN_PORT=" + admin, "HOST=127.0.0.1",
		"GAVEL_JWT_PUBLIC_KEY=" + publicKeyPEM(t), "SHUTDOWN_GRACE_MS=2000",
	}
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	readyz := func() int {
		res, err := http.Get("http://127.0.0.1:" + admin + "/readyz")
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	wait := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out: %s\n%s", what, logs.String())
			}
		}
	}
	// Alive but not ready while the lot events stream does not exist yet.
	wait("the admin port", func() bool { return readyz() == http.StatusServiceUnavailable })
	nc, err := nats.Connect(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: names.LotEventsStream, Subjects: []string{names.LotSubjectWildcard}}); err != nil {
		t.Fatal(err)
	}
	wait("ready", func() bool { return readyz() == http.StatusOK })

	check := exec.Command(bin, "healthcheck")
	check.Env = []string{"ADMIN_PORT=" + admin}
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("healthcheck of a ready service: %v %s", err, out)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15 s after SIGTERM\n%s", logs.String())
	}
	for _, line := range []string{`"msg":"waiting for the lot events stream`, `"msg":"settlement serving"`, `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("logs lack %s:\n%s", line, logs.String())
		}
	}
	check = exec.Command(bin, "healthcheck")
	check.Env = append(os.Environ(), "ADMIN_PORT="+admin)
	if err := check.Run(); err == nil {
		t.Error("healthcheck passed with the service stopped")
	}
}
