// Package framing refuses gRPC and gRPC-Web requests whose envelope is malformed (cut
// short, a length that lies, bytes after the message, unknown flag bits) with
// INVALID_ARGUMENT before connect-go reads them: connect-go answers those with INTERNAL,
// which tells the client the server is at fault. Every method of this service takes one
// small request message, so the body is read whole and checked.
package framing

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"
)

const prefixBytes = 5

// Handler checks the envelope of gRPC and gRPC-Web requests of up to maxBytes and hands
// every other request, and well-formed ones, to next.
func Handler(next http.Handler, maxBytes int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contentType := r.Header.Get("Content-Type")
		if !strings.HasPrefix(contentType, "application/grpc") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBytes+prefixBytes+1))
		if err != nil {
			refuse(w, contentType, fmt.Sprintf("reading the request: %v", err))
			return
		}
		if problem := Check(body, maxBytes); problem != "" {
			refuse(w, contentType, problem)
			return
		}
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		next.ServeHTTP(w, r)
	})
}

// Check says what is wrong with a request body that should hold exactly one enveloped
// message, or "" when nothing is (or when the message is over maxBytes, which
// connect-go refuses with RESOURCE_EXHAUSTED itself).
func Check(body []byte, maxBytes int64) string {
	if len(body) < prefixBytes {
		return fmt.Sprintf("incomplete envelope: %d bytes, a message prefix has 5", len(body))
	}
	if flags := body[0]; flags > 1 {
		return fmt.Sprintf("invalid envelope flags %d", flags)
	}
	size := int64(binary.BigEndian.Uint32(body[1:prefixBytes]))
	if size > maxBytes {
		return ""
	}
	if got := int64(len(body) - prefixBytes); got != size {
		return fmt.Sprintf("the envelope promised %d bytes and %d followed", size, got)
	}
	return ""
}

// refuse answers trailers-only, which gRPC and gRPC-Web both read from the headers.
func refuse(w http.ResponseWriter, contentType, message string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Grpc-Status", strconv.Itoa(int(connect.CodeInvalidArgument)))
	w.Header().Set("Grpc-Message", "protocol error: "+message)
	w.WriteHeader(http.StatusOK)
}
