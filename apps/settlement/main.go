// The settlement service: reads its config, starts telemetry, then issues an invoice for
// every lot that closes sold (a durable consumer of the lot events) and serves
// gavel.settlement.v1.SettlementService over Connect, gRPC and gRPC-Web. `settlement
// healthcheck` asks a running one whether it is ready (the image's HEALTHCHECK: a
// scratch image has no shell or curl).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/otelconnect"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gavel-auction/gavel/apps/settlement/gen/gavel/settlement/v1/settlementv1connect"
	"github.com/gavel-auction/gavel/apps/settlement/internal/api"
	"github.com/gavel-auction/gavel/apps/settlement/internal/auth"
	"github.com/gavel-auction/gavel/apps/settlement/internal/config"
	"github.com/gavel-auction/gavel/apps/settlement/internal/framing"
	"github.com/gavel-auction/gavel/apps/settlement/internal/health"
	"github.com/gavel-auction/gavel/apps/settlement/internal/invoices"
	"github.com/gavel-auction/gavel/apps/settlement/internal/settle"
	"github.com/gavel-auction/gavel/apps/settlement/internal/startup"
	"github.com/gavel-auction/gavel/apps/settlement/internal/telemetry"
)

const (
	service = "settlement"
	version = "0.1.0"
	// The largest request body: every request of this API is a few ids.
	maxRequestBytes = 64 << 10
	// What the steps after the server (consumer, NATS drain, telemetry) get on top of
	// SHUTDOWN_GRACE_MS, as the TypeScript services do (libs/service/src/shutdown.ts).
	shutdownMargin = 10 * time.Second
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(health.Check(os.Getenv("ADMIN_PORT"), 9104))
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(78) // EX_CONFIG, as the TypeScript services exit on bad config
	}
	logger := telemetry.NewLogger(os.Stdout, service, cfg.LogLevel)
	if err := run(cfg, logger); err != nil {
		logger.Error("settlement stopped", "err", err)
		os.Exit(1)
	}
}

func run(cfg config.Config, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	flush, err := telemetry.Start(ctx, service, version)
	if err != nil {
		return err
	}

	// Probes first: alive while it waits for NATS and the lot events stream, ready after.
	natsUp, started, stopping := atomic.Bool{}, atomic.Bool{}, atomic.Bool{}
	var index *invoices.Index
	ready := func() bool { return started.Load() && !stopping.Load() && natsUp.Load() && index.Ready() }
	admin := health.Server(net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.AdminPort)), ready)
	serveErr := make(chan error, 2)
	serve := func(srv *http.Server) {
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
		}
	}
	go serve(admin)

	// Returns at once even while no server answers yet (a new cluster's Service has no
	// endpoints for a while); the connect handler marks NATS up, startup.Retry waits.
	nc, err := nats.Connect(strings.Join(cfg.NATSURLs, ","), natsOptions(cfg, logger, &natsUp)...)
	if err != nil {
		return fmt.Errorf("connecting to NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	var store *invoices.Store
	var settler *settle.Settler
	err = startup.Retry(ctx, logger, "opening the invoices", func(ctx context.Context) (err error) {
		store, err = invoices.Open(ctx, js, cfg.StreamReplicas)
		return err
	})
	if err == nil {
		err = startup.Retry(ctx, logger, "indexing the invoices", func(ctx context.Context) (err error) {
			index, err = invoices.StartIndex(ctx, js, logger)
			return err
		})
	}
	if err == nil {
		err = startup.Retry(ctx, logger, "following the lot events", func(ctx context.Context) (err error) {
			settler, err = settle.Start(ctx, js, store, logger)
			return err
		})
	}
	if err != nil {
		return err
	}

	otelInterceptor, err := otelconnect.NewInterceptor(otelconnect.WithTrustRemote())
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(settlementv1connect.NewSettlementServiceHandler(api.New(store, index),
		connect.WithInterceptors(otelInterceptor, auth.Interceptor(auth.NewVerifier(cfg.JWTPublicKey, nil))),
		connect.WithReadMaxBytes(maxRequestBytes)))
	checker := grpchealth.NewStaticChecker(settlementv1connect.SettlementServiceName)
	mux.Handle(grpchealth.NewHandler(checker))
	rpc := &http.Server{
		Addr:              net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		Handler:           framing.Handler(mux, maxRequestBytes),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		Protocols:         h2cAndHTTP1(),
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go serve(rpc)
	started.Store(true)
	logger.Info("settlement serving", "rpc_port", cfg.Port, "admin_port", cfg.AdminPort, "nats", nc.ConnectedUrlRedacted())

	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-serveErr:
		return fmt.Errorf("serving: %w", err)
	}
	// A second signal exits at once, for an operator who does not want to wait.
	stop()
	go func() {
		second := make(chan os.Signal, 1)
		signal.Notify(second, syscall.SIGTERM, syscall.SIGINT)
		<-second
		logger.Warn("second signal, exiting now")
		os.Exit(1)
	}()
	return shutdown(cfg.ShutdownGrace, logger, &stopping, checker, rpc, admin, settler, index, nc, flush)
}

// shutdown: unready first, then finish in-flight calls, then the messages in hand, then
// drain NATS and flush the last spans; all within the grace period plus a margin.
func shutdown(grace time.Duration, logger *slog.Logger, stopping *atomic.Bool, checker *grpchealth.StaticChecker,
	rpc, admin *http.Server, settler *settle.Settler, index *invoices.Index, nc *nats.Conn, flush func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace+shutdownMargin)
	defer cancel()
	stopping.Store(true)
	checker.SetStatus(settlementv1connect.SettlementServiceName, grpchealth.StatusNotServing)
	var failed error
	step := func(name string, err error) {
		if err != nil {
			logger.Error("shutdown step failed", "step", name, "err", err)
			failed = errors.Join(failed, err)
		}
	}
	serverCtx, cancelServer := context.WithTimeout(ctx, grace)
	step("rpc server", rpc.Shutdown(serverCtx))
	cancelServer()
	step("consumer", settler.Stop(ctx))
	index.Stop()
	step("nats drain", drain(ctx, nc))
	step("telemetry", flush(ctx))
	step("admin server", admin.Shutdown(ctx))
	logger.Info("stopped")
	return failed
}

func drain(ctx context.Context, nc *nats.Conn) error {
	closed := make(chan struct{})
	nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
	if err := nc.Drain(); err != nil {
		return err
	}
	select {
	case <-closed:
		return nil
	case <-ctx.Done():
		nc.Close()
		return ctx.Err()
	}
}

func natsOptions(cfg config.Config, logger *slog.Logger, up *atomic.Bool) []nats.Option {
	options := []nats.Option{
		nats.Name(service),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		// The first connection is retried like a reconnect: starting before NATS is a
		// wait, not an exit (the pod would only be restarted to wait again).
		nats.RetryOnFailedConnect(true),
		nats.ConnectHandler(func(nc *nats.Conn) {
			up.Store(true)
			logger.Info("NATS status", "nats_status", "connect", "server", nc.ConnectedUrlRedacted())
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			up.Store(false)
			logger.Warn("NATS status", "nats_status", "disconnect", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			up.Store(true)
			logger.Info("NATS status", "nats_status", "reconnect", "server", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			logger.Warn("NATS status", "nats_status", "error", "err", err)
		}),
	}
	if cfg.NATSUser != "" {
		options = append(options, nats.UserInfo(cfg.NATSUser, cfg.NATSPassword))
	}
	return options
}

// h2cAndHTTP1: gRPC needs HTTP/2, which inside the cluster is cleartext (h2c, prior
// knowledge); Connect and gRPC-Web also work over HTTP/1.1.
func h2cAndHTTP1() *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return p
}
