package telemetry

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// received is what an OTLP receiver got: the names of the spans and of their services.
type received struct{ spans chan string }

func (r received) take(req *coltrace.ExportTraceServiceRequest) {
	for _, rs := range req.GetResourceSpans() {
		service := ""
		for _, a := range rs.GetResource().GetAttributes() {
			if a.GetKey() == "service.name" {
				service = a.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, span := range ss.GetSpans() {
				r.spans <- service + "/" + span.GetName()
			}
		}
	}
}

type grpcReceiver struct {
	coltrace.UnimplementedTraceServiceServer
	received
}

func (g *grpcReceiver) Export(_ context.Context, req *coltrace.ExportTraceServiceRequest) (*coltrace.ExportTraceServiceResponse, error) {
	g.take(req)
	return &coltrace.ExportTraceServiceResponse{}, nil
}

// startGRPCReceiver serves OTLP/gRPC on a free loopback port; answers its endpoint.
func startGRPCReceiver(t *testing.T, r received) string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := grpc.NewServer()
	coltrace.RegisterTraceServiceServer(server, &grpcReceiver{received: r})
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(server.Stop)
	return "http://" + listener.Addr().String()
}

// startHTTPReceiver serves OTLP/HTTP (protobuf) at /v1/traces; answers its endpoint.
func startHTTPReceiver(t *testing.T, r received) string {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var export coltrace.ExportTraceServiceRequest
		if req.URL.Path != "/v1/traces" || proto.Unmarshal(body, &export) != nil {
			http.Error(w, "not an OTLP/HTTP protobuf export", http.StatusBadRequest)
			return
		}
		r.take(&export)
		answer, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(answer)
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// Spans reach the endpoint over the protocol OTEL_EXPORTER_OTLP_PROTOCOL names, as the
// Node SDK sends them (the README offers both).
func TestStartExportsOverTheProtocolTheEnvironmentNames(t *testing.T) {
	for _, tc := range []struct {
		protocol, tracesProtocol string
		start                    func(*testing.T, received) string
	}{
		{"", "", startHTTPReceiver},
		{"http/protobuf", "", startHTTPReceiver},
		{"grpc", "", startGRPCReceiver},
		// The signal's own variable wins over the general one.
		{"http/json", "grpc", startGRPCReceiver},
	} {
		t.Run("protocol="+tc.protocol+",traces="+tc.tracesProtocol, func(t *testing.T) {
			r := received{spans: make(chan string, 16)}
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", tc.start(t, r))
			t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", tc.protocol)
			t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", tc.tracesProtocol)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			flush, err := Start(ctx, "settlement", "test")
			if err != nil {
				t.Fatal(err)
			}
			_, span := otel.Tracer("test").Start(ctx, "probe")
			span.End()
			if err := flush(ctx); err != nil {
				t.Fatalf("flushing the spans: %v", err)
			}
			select {
			case got := <-r.spans:
				if got != "settlement/probe" {
					t.Fatalf("received %q, want settlement/probe", got)
				}
			case <-ctx.Done():
				t.Fatal("the receiver got no span")
			}
		})
	}
}

func TestStartRefusesAProtocolItCannotSpeak(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "")
	_, err := Start(context.Background(), "settlement", "test")
	if err == nil || !strings.Contains(err.Error(), "grpc or http/protobuf") {
		t.Fatalf("Start answered %v, want an error naming the protocols it speaks", err)
	}
}
