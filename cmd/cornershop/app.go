package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"cornershop/api"
	"cornershop/config"
	"cornershop/core"
	"cornershop/core/hours"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// adapter is what the app needs from a platform adapter beyond core.Platform.
type adapter interface {
	core.Platform
	// Ready reports whether the adapter is connected.
	Ready() bool
}

// pushAdapter is an adapter that may say its Run keeps no connection that
// must exist once per bot (it only receives HTTP pushes), so every replica
// runs it. Adapters without the method hold a connection.
type pushAdapter interface {
	HoldsConnection() bool
}

// holdsConnection reports whether ad's Run must run on one replica at a
// time.
func holdsConnection(ad adapter) bool {
	p, ok := ad.(pushAdapter)
	return !ok || p.HoldsConnection()
}

// receiver is an adapter whose HTTP handlers can hand pushes to the inbox
// on a replica that does not hold its connection (Discord's Interactions
// Endpoint beside its gateway).
type receiver interface {
	Receive(in core.Inbox)
}

// budgetSharer is an adapter that can keep its pacing budgets where every
// replica sees them.
type budgetSharer interface {
	ShareBudget(b core.RateBudget)
}

// httpAdapter is an adapter that also receives pushes over HTTP.
type httpAdapter interface {
	Handler() http.Handler
}

// interactionsAdapter receives Discord interactions over HTTP, at the
// application's Interactions Endpoint URL.
type interactionsAdapter interface {
	InteractionsHandler() http.Handler
}

// app is one running cornershop: store, relay, outbox worker, adapters and
// the HTTP server.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	store    *store.Store
	relay    *relay.Service
	worker   *outbox.Worker
	adapters []adapter
	metrics  *metrics
	holds    *holds
	// api is the REST API's handler, mounted at /api/v1/.
	api http.Handler
}

// holds records which platform connections this replica holds.
type holds struct {
	mu   sync.Mutex
	held map[string]bool
}

func (h *holds) set(name string) func(bool) {
	return func(on bool) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.held[name] = on
	}
}

func (h *holds) has(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held[name]
}

// newApp opens the database (migrating it) and builds everything from cfg.
// The adapters are given, so the demo can build its own.
func newApp(ctx context.Context, cfg *config.Config, log *slog.Logger, adapters []adapter) (*app, error) {
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s-%d", host, os.Getpid())
	st, err := openStore(ctx, cfg, log, true, owner)
	if err != nil {
		return nil, err
	}
	if cfg.Database.Driver == config.Postgres {
		// Replicas may share the database: they share the platforms'
		// limits too, or together they would post faster than allowed.
		for _, a := range adapters {
			if b, ok := a.(budgetSharer); ok {
				b.ShareBudget(st)
			}
		}
	}
	m := newMetrics(st, replicaName(cfg), names(adapters))
	for _, w := range cfg.Webhooks {
		m.webhookEndpoint(w.Name)
	}
	platforms := make([]core.Platform, len(adapters))
	for i, a := range adapters {
		platforms[i] = a
	}
	var w *outbox.Worker
	rcfg, err := relayConfig(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	rcfg.Wake = func() { w.Notify() }
	if cfg.Database.Driver == config.Postgres {
		rcfg.Commits = cmp.Or(cfg.Database.Commits, postgresCommits)
	}
	if rcfg.Files, err = st.Files(cfg.Privacy.FilesDir); err != nil {
		st.Close()
		return nil, err
	}
	rcfg.FileSizeLimit = cfg.Privacy.FileSizeLimit
	rcfg.DeskFallback = m.deskFallback
	rcfg.Observer = newDeskMetrics(m.register, deskNames(rcfg.Desks))
	rcfg.Listening.Observer = newListeningMetrics(m.register, rcfg.Listening)
	if rcfg.Webhooks, err = webhookConfig(cfg); err != nil {
		st.Close()
		return nil, err
	}
	rs, err := relay.New(st, rcfg, platforms, time.Now, log.With("component", "relay"))
	if err != nil {
		st.Close()
		return nil, err
	}
	if cfg.Answers.Dir != "" {
		res, err := rs.SeedAnswers(ctx, os.DirFS(cfg.Answers.Dir))
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("answers.dir %s: %w", cfg.Answers.Dir, err)
		}
		log.Info("answers seeded", "dir", cfg.Answers.Dir, "added", res.Added, "updated", res.Updated, "unchanged", res.Unchanged)
	}
	if err := rs.StartRetention(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("privacy.retention: %w", err)
	}
	w = outbox.New(groupCommitted{Store: st, relay: rs}, rs, outbox.Options{
		Owner:       owner,
		Workers:     cfg.Outbox.Workers,
		Lease:       cfg.Outbox.Lease,
		BaseBackoff: cfg.Outbox.BaseBackoff,
		MaxBackoff:  cfg.Outbox.MaxBackoff,
		MaxAttempts: cfg.Outbox.MaxAttempts,
		Logger:      log.With("component", "outbox"),
		Observer:    m,
	})
	apiHandler, err := api.Handler(api.Options{
		Store: st, Records: st, Ideas: st, Operator: rs, Privacy: rs,
		Tokens: apiTokens(cfg.API), Logger: log.With("component", "api"),
		Routes: webhookRoutes(rs, log.With("component", "webhooks")),
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	return &app{cfg: cfg, log: log, store: st, relay: rs, worker: w, adapters: adapters, metrics: m, holds: &holds{held: map[string]bool{}}, api: apiHandler}, nil
}

// apiTokens translates the configured API tokens.
func apiTokens(c config.API) []api.Token {
	out := make([]api.Token, len(c.Tokens))
	for i, t := range c.Tokens {
		out[i] = api.Token{Name: t.Name, Secret: t.Secret.Reveal()}
		for _, s := range t.Scopes {
			out[i].Scopes = append(out[i].Scopes, api.Scope(s))
		}
	}
	return out
}

// replicaName is the replica label of this process's metrics: configured,
// else the host name, which (unlike the outbox owner's process id) stays
// the same across restarts.
func replicaName(cfg *config.Config) string {
	if cfg.Metrics.Replica != "" {
		return cfg.Metrics.Replica
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		return host
	}
	return "cornershop"
}

// groupCommitted is the store with the relay's group commit: the outbox's
// outcomes share transactions with each other and with inbound events.
type groupCommitted struct {
	*store.Store
	relay *relay.Service
}

func (g groupCommitted) InTx(ctx context.Context, fn func(tx core.Tx) error) error {
	return g.relay.InTx(ctx, fn)
}

// openStore opens the configured database; name is the process's name in
// PostgreSQL sessions (the outbox owner), "" for tools that claim nothing.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger, migrate bool, name string) (*store.Store, error) {
	st, err := store.Open(ctx, store.Options{
		Driver:          string(cfg.Database.Driver),
		DSN:             cfg.Database.DSN.Reveal(),
		Synchronous:     string(cfg.Database.SQLiteSynchronous),
		MaxOpenConns:    cfg.Database.MaxOpenConns,
		SearchLanguage:  cfg.Database.SearchLanguage,
		Logger:          log.With("component", "store"),
		AutoMigrate:     migrate,
		ApplicationName: name,
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return st, nil
}

// relayConfig translates the configuration for the relay.
func relayConfig(cfg *config.Config) (relay.Config, error) {
	rc := relay.Config{
		Team:          core.Voice{Name: cfg.Team.Name, AvatarURL: cfg.Team.AvatarURL, Team: true},
		Greeting:      cfg.Team.Greeting,
		ReopenWindow:  cfg.Relay.ReopenWindow,
		NotePrefix:    cfg.Relay.NotePrefix,
		CommandPrefix: cfg.Relay.CommandPrefix,
		UndoWindow:    cfg.Relay.UndoWindow,
		Snippets:      map[string]string{},
	}
	for _, sn := range cfg.Snippets {
		rc.Snippets[strings.ToLower(sn.Name)] = sn.Text
	}
	for _, s := range cfg.Staff {
		st := core.Staff{
			ID:         core.StaffID(s.ID),
			Voice:      core.Voice{Name: s.Name, Title: s.Title, AvatarURL: s.AvatarURL, Signature: s.Signature},
			Identities: map[core.PlatformName]string{},
		}
		for _, r := range s.Roles {
			st.Roles = append(st.Roles, core.Role(r))
		}
		for p, id := range map[core.PlatformName]string{core.Telegram: s.Identities.Telegram, core.Slack: s.Identities.Slack, core.Discord: s.Identities.Discord} {
			if id != "" {
				st.Identities[p] = id
			}
		}
		rc.Staff = append(rc.Staff, st)
	}
	for _, d := range cfg.Desks {
		mode := d.ReplyMode
		if mode == "" {
			mode = cfg.Relay.ReplyMode
		}
		sched, err := hours.Parse(d.Hours.TimeZone, d.Hours.Weekly, d.Hours.Holidays)
		if err != nil {
			return relay.Config{}, fmt.Errorf("desk %s: %w", d.Name, err)
		}
		rc.Desks = append(rc.Desks, relay.Desk{
			Name:                d.Name,
			Place:               core.Place{Platform: core.PlatformName(d.Platform), Chat: d.Channel},
			StaffFromMembership: d.StaffFromMembership,
			NoteMode:            mode == "note",
			Hours:               sched,
			Acknowledge:         d.Acknowledge,
			SLA:                 deskSLA(d.SLA),
			Survey:              relay.Survey{Enabled: d.Survey.Enabled, Period: d.Survey.Period, CommentWindow: d.Survey.CommentWindow},
		})
	}
	for _, r := range cfg.Routes {
		rc.Routes = append(rc.Routes, relay.Route{Platform: core.PlatformName(r.Platform), Chat: r.Channel, Desk: r.Desk})
	}
	rc.Ideas = relay.Ideas{
		DailyNotices: cfg.Ideas.DailyNotices, DigestWindow: cfg.Ideas.DigestWindow, DigestDelay: cfg.Ideas.DigestDelay,
		Moderation: cfg.Ideas.Moderation, NewContactAge: cfg.Ideas.NewContactAge,
	}
	rc.Answers = relay.Answers{Suggest: cfg.Answers.Suggest, Limit: cfg.Answers.Limit}
	rc.Privacy = relay.Privacy{SelfService: cfg.Privacy.SelfService, Retention: cfg.Privacy.Retention, ExportLinkTTL: cfg.Privacy.ExportLinkTTL}
	rc.PublicURL = cfg.HTTP.PublicURL
	var err error
	if rc.Listening, err = listeningConfig(cfg); err != nil {
		return relay.Config{}, err
	}
	rc.Incidents = relay.Incidents{Desk: cfg.Incidents.Desk, AutoLink: cfg.Incidents.AutoLink}
	for _, b := range cfg.Incidents.Broadcast {
		rc.Incidents.Broadcast = append(rc.Incidents.Broadcast, core.Place{Platform: core.PlatformName(b.Platform), Chat: b.Channel})
	}
	for _, b := range cfg.Ideas.Boards {
		rc.Ideas.Boards = append(rc.Ideas.Boards, core.Place{Platform: core.PlatformName(b.Platform), Chat: b.Channel, Thread: b.Topic})
	}
	return rc, nil
}

// errDatabaseUnavailable is what /readyz says when the database cannot be
// read or written; the detail goes to the log (it names the database's
// user, name and host).
var errDatabaseUnavailable = errors.New("database unavailable")

// ready reports whether the database answers and takes writes (the last
// write transaction did not fail in the last 30 s, see store.WriteFault)
// and every connection this replica holds is up, and lists which
// connections it holds (another replica holds the rest).
func (a *app) ready(ctx context.Context) (string, error) {
	if err := a.store.Ping(ctx); err != nil {
		a.log.Warn("not ready: the database does not answer", "err", err)
		return "", errDatabaseUnavailable
	}
	if err := a.store.WriteFault(); err != nil {
		a.log.Warn("not ready: writes to the database fail", "err", err)
		return "", errDatabaseUnavailable
	}
	var b strings.Builder
	for _, ad := range a.adapters {
		name := string(ad.Name())
		if !holdsConnection(ad) {
			if !ad.Ready() {
				return "", fmt.Errorf("%s: not ready", name)
			}
			fmt.Fprintf(&b, "%s: receiving pushes here\n", name)
			continue
		}
		if !a.holds.has(name) {
			fmt.Fprintf(&b, "%s: held by another replica\n", name)
			continue
		}
		if !ad.Ready() {
			return "", fmt.Errorf("%s: not connected", name)
		}
		fmt.Fprintf(&b, "%s: connected here\n", name)
	}
	return b.String(), nil
}

// run serves until ctx ends, then stops the adapters, drains the deliveries
// in flight and closes the database. started, if not nil, receives the HTTP
// address once the service listens.
func (a *app) run(ctx context.Context, started func(addr string)) error {
	public, admin := a.routes()
	ln, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.HTTP.Listen, err)
	}
	srvs := map[net.Listener]*http.Server{ln: newServer(public, a.cfg.HTTP)}
	if admin != nil {
		aln, err := net.Listen("tcp", a.cfg.HTTP.AdminListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (http.admin_listen): %w", a.cfg.HTTP.AdminListen, err)
		}
		srvs[aln] = newServer(admin, a.cfg.HTTP)
		a.log.Info("health, readiness and metrics on their own address", "addr", aln.Addr().String())
	}

	inbox := a.metrics.countInbox(a.relay)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errs := make(chan error, len(a.adapters)+len(srvs))
	for _, ad := range a.adapters {
		wg.Go(func() {
			var err error
			if r, ok := ad.(receiver); ok {
				r.Receive(inbox)
			}
			if holdsConnection(ad) {
				// One replica at a time holds each platform's connection.
				err = a.store.Exclusive(runCtx, string(ad.Name()), time.Second, a.holds.set(string(ad.Name())), func(ctx context.Context) error {
					return ad.Run(ctx, inbox)
				})
			} else {
				// Pushes over HTTP reach whichever replica the load
				// balancer picks: every replica receives.
				err = ad.Run(runCtx, inbox)
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("adapter stopped", "platform", ad.Name(), "err", err)
				errs <- fmt.Errorf("%s: %w", ad.Name(), err)
			}
		})
	}
	for _, ad := range a.adapters {
		wg.Go(func() { watchConnection(runCtx, ad, a.log, a.metrics.connection(string(ad.Name()))) })
	}
	wg.Go(func() { _ = a.worker.Run(runCtx) })
	for l, srv := range srvs {
		go func() {
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("http: %w", err)
			}
		}()
	}
	if started != nil {
		started(ln.Addr().String())
	}

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
	}
	a.log.Info("cornershop stopping: draining deliveries in flight")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, srv := range srvs {
		_ = srv.Shutdown(shutdownCtx)
	}
	// Adapters stop receiving; the worker finishes what it holds and stops.
	stop()
	wg.Wait()
	if err := a.store.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("close database: %w", err)
	}
	a.log.Info("cornershop stopped")
	return runErr
}

func names(ads []adapter) []string {
	out := make([]string, len(ads))
	for i, a := range ads {
		out[i] = string(a.Name())
	}
	return out
}

// postgresCommits is how many group-commit transactions run at once on
// PostgreSQL by default, where transactions proceed side by side (SQLite:
// one). Two measured best on two cores (BENCHMARKS.md, issue #25).
const postgresCommits = 2
