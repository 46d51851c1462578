// Package health serves the admin port's probes, as the TypeScript services do:
// /healthz (the process is alive) and /readyz (it can do its work), over HTTP/1.1.
package health

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Server answers /healthz always, and /readyz with 200 while `ready` says so, else 503.
func Server(addr string, ready func() bool) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if ready() {
			writeStatus(w, http.StatusOK, "ready")
			return
		}
		writeStatus(w, http.StatusServiceUnavailable, "not ready")
	})
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}

func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"status":%q}`+"\n", status)
}

// Check asks the local admin port's /readyz; answers the exit code (0 ready, 1 not).
func Check(port string, fallback int) int {
	if _, err := strconv.Atoi(port); err != nil {
		port = strconv.Itoa(fallback)
	}
	client := http.Client{Timeout: 3 * time.Second}
	res, err := client.Get("http://127.0.0.1:" + port + "/readyz")
	if err != nil {
		fmt.Fprintln(os.Stderr, "not ready:", err)
		return 1
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "not ready:", res.Status)
		return 1
	}
	return 0
}
