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
	colmetric "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// received is what an OTLP receiver got: "service/name" of each span and metric.
type received struct{ spans, metrics chan string }

func newReceived() received {
	return received{spans: make(chan string, 16), metrics: make(chan string, 64)}
}

func serviceOf(resource *resourcepb.Resource) string {
	for _, a := range resource.GetAttributes() {
		if a.GetKey() == "service.name" {
			return a.GetValue().GetStringValue()
		}
	}
	return ""
}

func (r received) takeSpans(req *coltrace.ExportTraceServiceRequest) {
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, span := range ss.GetSpans() {
				r.spans <- serviceOf(rs.GetResource()) + "/" + span.GetName()
			}
		}
	}
}

func (r received) takeMetrics(req *colmetric.ExportMetricsServiceRequest) {
	for _, rm := range req.GetResourceMetrics() {
		for _, sm := range rm.GetScopeMetrics() {
			for _, metric := range sm.GetMetrics() {
				r.metrics <- serviceOf(rm.GetResource()) + "/" + metric.GetName()
			}
		}
	}
}

type grpcTraces struct {
	coltrace.UnimplementedTraceServiceServer
	received
}

func (g *grpcTraces) Export(_ context.Context, req *coltrace.ExportTraceServiceRequest) (*coltrace.ExportTraceServiceResponse, error) {
	g.takeSpans(req)
	return &coltrace.ExportTraceServiceResponse{}, nil
}

type grpcMetrics struct {
	colmetric.UnimplementedMetricsServiceServer
	received
}

func (g *grpcMetrics) Export(_ context.Context, req *colmetric.ExportMetricsServiceRequest) (*colmetric.ExportMetricsServiceResponse, error) {
	g.takeMetrics(req)
	return &colmetric.ExportMetricsServiceResponse{}, nil
}

// startGRPCReceiver serves OTLP/gRPC on a free loopback port; answers its endpoint.
func startGRPCReceiver(t *testing.T, r received) string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := grpc.NewServer()
	coltrace.RegisterTraceServiceServer(server, &grpcTraces{received: r})
	colmetric.RegisterMetricsServiceServer(server, &grpcMetrics{received: r})
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(server.Stop)
	return "http://" + listener.Addr().String()
}

// startHTTPReceiver serves OTLP/HTTP (protobuf) at /v1/traces and /v1/metrics;
// answers its endpoint.
func startHTTPReceiver(t *testing.T, r received) string {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var answer proto.Message
		spans, metrics := &coltrace.ExportTraceServiceRequest{}, &colmetric.ExportMetricsServiceRequest{}
		switch {
		case req.URL.Path == "/v1/traces" && proto.Unmarshal(body, spans) == nil:
			r.takeSpans(spans)
			answer = &coltrace.ExportTraceServiceResponse{}
		case req.URL.Path == "/v1/metrics" && proto.Unmarshal(body, metrics) == nil:
			r.takeMetrics(metrics)
			answer = &colmetric.ExportMetricsServiceResponse{}
		default:
			http.Error(w, "not an OTLP/HTTP protobuf export", http.StatusBadRequest)
			return
		}
		encoded, _ := proto.Marshal(answer)
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(encoded)
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// startAndProbe starts telemetry from the environment, makes one span ("probe") and one
// counter ("gavel.test.probes"), and flushes both to whatever the variables name.
func startAndProbe(ctx context.Context, t *testing.T) {
	t.Helper()
	flush, err := Start(ctx, "settlement", "test")
	if err != nil {
		t.Fatal(err)
	}
	_, span := otel.Tracer("test").Start(ctx, "probe")
	span.End()
	probes, _ := otel.Meter("test").Int64Counter("gavel.test.probes")
	probes.Add(ctx, 1)
	if err := flush(ctx); err != nil {
		t.Fatalf("flushing: %v", err)
	}
}

// Spans and metrics reach the endpoint over the protocol OTEL_EXPORTER_OTLP_PROTOCOL
// names, as the Node SDK sends them (the README offers both).
func TestStartExportsOverTheProtocolTheEnvironmentNames(t *testing.T) {
	for _, tc := range []struct {
		protocol, signalProtocol string
		start                    func(*testing.T, received) string
	}{
		{"", "", startHTTPReceiver},
		{"http/protobuf", "", startHTTPReceiver},
		{"grpc", "", startGRPCReceiver},
		// The signals' own variables win over the general one.
		{"http/json", "grpc", startGRPCReceiver},
	} {
		t.Run("protocol="+tc.protocol+",signals="+tc.signalProtocol, func(t *testing.T) {
			r := newReceived()
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", tc.start(t, r))
			t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", tc.protocol)
			t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", tc.signalProtocol)
			t.Setenv("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", tc.signalProtocol)
			t.Setenv("OTEL_TRACES_EXPORTER", "")
			t.Setenv("OTEL_METRICS_EXPORTER", "")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			startAndProbe(ctx, t)
			for what, want := range map[chan string]string{r.spans: "settlement/probe", r.metrics: "settlement/gavel.test.probes"} {
				select {
				case got := <-what:
					if got != want {
						t.Fatalf("received %q, want %q", got, want)
					}
				case <-ctx.Done():
					t.Fatalf("the receiver got no %s", want)
				}
			}
		})
	}
}

// OTEL_METRICS_EXPORTER=none (Jaeger, which stores only traces) keeps the metrics in.
func TestStartLeavesOutASignalWhoseExporterIsNone(t *testing.T) {
	r := newReceived()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", startHTTPReceiver(t, r))
	t.Setenv("OTEL_METRICS_EXPORTER", "none")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	startAndProbe(ctx, t)
	if got := <-r.spans; got != "settlement/probe" {
		t.Fatalf("received %q, want settlement/probe", got)
	}
	if len(r.metrics) != 0 {
		t.Fatalf("received metric %q with OTEL_METRICS_EXPORTER=none", <-r.metrics)
	}
}

func TestStartRefusesAProtocolItCannotSpeak(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "")
	t.Setenv("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "")
	_, err := Start(context.Background(), "settlement", "test")
	if err == nil || !strings.Contains(err.Error(), "grpc or http/protobuf") {
		t.Fatalf("Start answered %v, want an error naming the protocols it speaks", err)
	}
}
