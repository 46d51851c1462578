// Package natstest starts a real nats-server with JetStream for a test: the pinned
// binary the project builds (scripts/tools/nats-server.sh, or NATS_SERVER_BIN), on a free
// loopback port, storing in the test's temp dir, stopped when the test ends. Never a
// mock: the tests see the same server the services run on.
package natstest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is one running nats-server.
type Server struct {
	URL  string
	port int
	dir  string
	cmd  *exec.Cmd
	t    testing.TB
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Start runs a nats-server for the test, stopped with it.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{port: freePort(t), dir: t.TempDir(), t: t}
	s.URL = fmt.Sprintf("nats://127.0.0.1:%d", s.port)
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// Restart stops the server and starts it again on the same port and storage.
func (s *Server) Restart() {
	s.Stop()
	s.start()
}

// Stop ends the server (SIGTERM, then SIGKILL after 5 s); stopping twice is fine.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

func (s *Server) start() {
	s.t.Helper()
	bin := binary(s.t)
	cmd := exec.Command(bin, "-js", "-sd", s.dir, "-a", "127.0.0.1", "-p", fmt.Sprint(s.port))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting %s: %v", bin, err)
	}
	ready := make(chan struct{})
	var output strings.Builder
	go func() {
		scanner := bufio.NewScanner(stderr)
		signalled := false
		for scanner.Scan() {
			if !signalled {
				output.WriteString(scanner.Text() + "\n")
			}
			if !signalled && strings.Contains(scanner.Text(), "Server is ready") {
				signalled = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
		s.cmd = cmd
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		s.t.Fatalf("nats-server did not start in 20 s:\n%s", output.String())
	}
}

// binary finds the pinned nats-server: NATS_SERVER_BIN, else the project's own build
// script (which builds it once into the tools cache).
func binary(t testing.TB) string {
	binOnce.Do(func() {
		if bin := os.Getenv("NATS_SERVER_BIN"); bin != "" {
			binPath = bin
			return
		}
		script, err := findUp("scripts/tools/nats-server.sh")
		if err != nil {
			binErr = err
			return
		}
		out, err := exec.Command(script).Output()
		if err != nil {
			binErr = fmt.Errorf("%s: %v", script, err)
			return
		}
		binPath = strings.TrimSpace(string(out))
	})
	if binErr != nil {
		t.Fatalf("no nats-server: %v (set NATS_SERVER_BIN)", binErr)
	}
	return binPath
}

func findUp(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, rel)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s not found above the working directory", rel)
		}
		dir = parent
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
