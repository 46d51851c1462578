// Package telemetry sets up OpenTelemetry tracing and metrics as the TypeScript services
// do (the same resource attributes, OTLP export configured by the standard OTEL_*
// variables, W3C trace context), JSON logs that carry the trace and span ids, and the carrier that
// reads and writes trace context in NATS message headers.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Start installs the global tracer and meter providers and the propagator. Spans and
// metrics are exported when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT, or the
// signal's own _TRACES_ or _METRICS_ENDPOINT); without one, spans still exist, so trace
// context still crosses every hop and every log line still has a trace id. The sampler
// follows OTEL_TRACES_SAMPLER (parent-based always-on by default), and metrics leave
// every OTEL_METRIC_EXPORT_INTERVAL ms (10 s by default), as in the Node services.
// Returns the flush to run at shutdown.
func Start(ctx context.Context, service, version string) (func(context.Context) error, error) {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{}))
	if os.Getenv("OTEL_SDK_DISABLED") == "true" {
		return func(context.Context) error { return nil }, nil
	}
	name := service
	if v := os.Getenv("OTEL_SERVICE_NAME"); v != "" {
		name = v
	}
	instance := os.Getenv("POD_NAME")
	if instance == "" {
		host, _ := os.Hostname()
		instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	environment := os.Getenv("GAVEL_ENV")
	if environment == "" {
		environment = "development"
	}
	attrs := []attribute.KeyValue{
		semconv.ServiceName(name),
		semconv.ServiceVersion(version),
		semconv.ServiceInstanceID(instance),
		attribute.String("deployment.environment.name", environment),
	}
	if pod := os.Getenv("POD_NAME"); pod != "" {
		attrs = append(attrs, semconv.K8SPodName(pod))
	}
	// WithFromEnv last: OTEL_RESOURCE_ATTRIBUTES may add to or override ours.
	res, err := resource.New(ctx, resource.WithTelemetrySDK(), resource.WithAttributes(attrs...), resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("telemetry resource: %w", err)
	}
	traceOptions := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if exporting("TRACES") {
		exporter, err := newExporter("TRACES",
			func() (sdktrace.SpanExporter, error) { return otlptracegrpc.New(ctx) },
			func() (sdktrace.SpanExporter, error) { return otlptracehttp.New(ctx) })
		if err != nil {
			return nil, err
		}
		traceOptions = append(traceOptions, sdktrace.WithBatcher(exporter))
	}
	metricOptions := []sdkmetric.Option{sdkmetric.WithResource(res)}
	if exporting("METRICS") {
		exporter, err := newExporter("METRICS",
			func() (sdkmetric.Exporter, error) { return otlpmetricgrpc.New(ctx) },
			func() (sdkmetric.Exporter, error) { return otlpmetrichttp.New(ctx) })
		if err != nil {
			return nil, err
		}
		var readerOptions []sdkmetric.PeriodicReaderOption
		if os.Getenv("OTEL_METRIC_EXPORT_INTERVAL") == "" {
			readerOptions = append(readerOptions, sdkmetric.WithInterval(10*time.Second))
		}
		metricOptions = append(metricOptions, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exporter, readerOptions...)))
	}
	tracerProvider := sdktrace.NewTracerProvider(traceOptions...)
	meterProvider := sdkmetric.NewMeterProvider(metricOptions...)
	otel.SetTracerProvider(tracerProvider)
	otel.SetMeterProvider(meterProvider)
	return func(ctx context.Context) error {
		return errors.Join(tracerProvider.Shutdown(ctx), meterProvider.Shutdown(ctx))
	}, nil
}

// exporting reports whether a signal (TRACES, METRICS) is exported: it has an OTLP
// endpoint, and OTEL_<SIGNAL>_EXPORTER is not "none" (what the tests and `npm start --
// --jaeger` set for metrics, since Jaeger stores only traces).
func exporting(signal string) bool {
	if os.Getenv("OTEL_"+signal+"_EXPORTER") == "none" {
		return false
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
}

// newExporter makes a signal's OTLP exporter over the protocol its
// OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL (else OTEL_EXPORTER_OTLP_PROTOCOL) names, as the
// Node SDK reads them: http/protobuf by default, or grpc. Each exporter reads the
// endpoint, headers and timeout variables itself. http/json, which the Go SDK does not
// offer, is refused at start.
func newExporter[E any](signal string, overGRPC, overHTTP func() (E, error)) (E, error) {
	protocol := os.Getenv("OTEL_EXPORTER_OTLP_" + signal + "_PROTOCOL")
	if protocol == "" {
		protocol = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch protocol {
	case "", "http/protobuf":
		return overHTTP()
	case "grpc":
		return overGRPC()
	default:
		var none E
		return none, fmt.Errorf("OTLP %s exporter: protocol %q: settlement exports over grpc or http/protobuf", signal, protocol)
	}
}

// HeaderCarrier reads and writes W3C trace context in a NATS message's headers, the
// same header names (traceparent, tracestate) the TypeScript services use.
type HeaderCarrier nats.Header

var _ propagation.TextMapCarrier = HeaderCarrier{}

func (c HeaderCarrier) Get(key string) string { return nats.Header(c).Get(key) }

func (c HeaderCarrier) Set(key, value string) { nats.Header(c).Set(key, value) }

func (c HeaderCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// Extract answers the context a message's headers carry (the publisher's span).
func Extract(ctx context.Context, header nats.Header) context.Context {
	if header == nil {
		return ctx
	}
	return otel.GetTextMapPropagator().Extract(ctx, HeaderCarrier(header))
}

// Inject writes ctx's trace context into a message's headers.
func Inject(ctx context.Context, header nats.Header) {
	otel.GetTextMapPropagator().Inject(ctx, HeaderCarrier(header))
}
