package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/config"
)

// rig is one scenario's world: the three emulators (each call they answer
// goes to the recorder), the desk, and the database the service runs on.
type rig struct {
	o    Options
	dir  string
	dsn  string // the database for this scenario (a file, or a PostgreSQL schema)
	rec  *recorder
	tg   *telegramfake.Server
	sl   *slackfake.Server
	dc   *discordfake.Server
	desk slackfake.Channel
	// alice is the staff member answering in the Slack desk.
	alice slackfake.User
	// customerChannels are Slack Connect channels whose members are customers.
	customerChannels []slackfake.Channel
	tgUsers          []telegramfake.User
	drop             func() // drops the PostgreSQL schema
}

// newRig starts the emulators for one scenario, with their limits off.
func newRig(ctx context.Context, o Options, name string) (*rig, error) {
	r := &rig{o: o, rec: newRecorder(), drop: func() {}}
	var err error
	if r.dir, err = os.MkdirTemp(o.Dir, "cornershop-bench-"+name+"-"); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if r.tg, err = telegramfake.Start("127.0.0.1:0", telegramfake.Options{Observe: r.rec.telegram, ObservePush: r.rec.telegramPush}); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if r.sl, err = slackfake.Start("127.0.0.1:0", slackfake.Options{Observe: r.rec.slack}); err != nil {
		r.close()
		return nil, fmt.Errorf("bench: %w", err)
	}
	if r.dc, err = discordfake.Start("127.0.0.1:0", discordfake.Options{Observe: r.rec.discord}); err != nil {
		r.close()
		return nil, fmt.Errorf("bench: %w", err)
	}
	r.alice = r.sl.AddUser("alice", "Alice Martin", "https://example.com/alice.png", false)
	r.desk = r.sl.AddChannel("support-desk", false, r.alice)
	r.rec.setDesk(r.desk.ID)
	r.dsn = filepath.Join(r.dir, "bench.db")
	if o.DB != "" {
		dsn, drop, err := freshPostgresSchema(ctx, o.DB, name)
		if err != nil {
			r.close()
			return nil, err
		}
		r.dsn, r.drop = dsn, drop
	}
	return r, nil
}

func (r *rig) close() {
	if r.tg != nil {
		_ = r.tg.Close()
	}
	if r.sl != nil {
		_ = r.sl.Close()
	}
	if r.dc != nil {
		_ = r.dc.Close()
	}
	r.drop()
	if !r.o.Keep {
		_ = os.RemoveAll(r.dir)
	}
}

// limits switches the emulators' published rate limits on or off.
func (r *rig) limits(on bool) {
	r.tg.SetRateLimits(on)
	r.sl.SetRateLimits(on)
	r.dc.SetRateLimits(on)
}

// latency makes every emulator answer each call after d.
func (r *rig) latency(d time.Duration) {
	r.tg.SetLatency(d)
	r.sl.SetLatency(d)
	r.dc.SetLatency("", d)
}

// serviceSetup is what varies between service runs.
type serviceSetup struct {
	pacing   bool // the adapters' client-side pacing at the published limits
	discord  bool // run the Discord adapter
	replicas int  // `cornershop serve` processes sharing the database [1]
	// publicURL is http.public_url: the balancer in front of the replicas
	// in Telegram webhook mode, else "".
	publicURL string
}

// webhookSecret is telegram.webhook_secret in webhook mode.
const webhookSecret = "bench-webhook-secret"

// webhookMode reports whether the service receives Telegram by webhook.
func (o Options) webhookMode() bool { return o.TelegramMode == "webhook" }

// config is the service's configuration against this rig's emulators:
// product defaults except where the bench must differ, all printed with
// the results.
func (r *rig) config(s serviceSetup, listen string) *config.Config {
	cfg := config.Default()
	cfg.Database.DSN = config.NewSecret(r.dsn)
	if r.o.DB != "" {
		cfg.Database.Driver = config.Postgres
	}
	cfg.HTTP.Listen = listen
	cfg.Log = config.Log{Level: "warn", Format: "json"}
	if r.o.Workers > 0 {
		cfg.Outbox.Workers = r.o.Workers
	}
	cfg.Staff = []config.Staff{{ID: "alice", Name: "Alice Martin", Title: "Customer Care", Roles: []string{"agent"},
		AvatarURL: "https://example.com/alice.png", Identities: config.Identities{Slack: r.alice.ID}}}
	cfg.Desks = []config.Desk{{Name: "support", Platform: "slack", Channel: r.desk.ID, Kind: "thread"}}
	pacing := "off"
	if s.pacing {
		pacing = "published"
	}
	cfg.Telegram = config.Telegram{Enabled: true, Token: config.NewSecret(r.tg.Token()), APIURL: r.tg.URL(), Mode: "polling",
		PollTimeout: 10 * time.Second, FileSizeLimit: 20 << 20, Pacing: pacing}
	if r.o.webhookMode() {
		cfg.Telegram.Mode, cfg.Telegram.WebhookSecret = "webhook", config.NewSecret(webhookSecret)
		cfg.Telegram.WebhookMaxConnections = config.Default().Telegram.WebhookMaxConnections
		cfg.HTTP.PublicURL = s.publicURL
	}
	cfg.Slack = config.Slack{Enabled: true, BotToken: config.NewSecret(r.sl.BotToken()), AppToken: config.NewSecret(r.sl.AppToken()),
		APIURL: r.sl.APIURL(), Mode: "socket", Pacing: pacing}
	for _, c := range r.customerChannels {
		cfg.Slack.CustomerChannels = append(cfg.Slack.CustomerChannels, c.ID)
	}
	if s.discord {
		cfg.Discord = config.Discord{Enabled: true, Token: config.NewSecret(r.dc.Token()), ApplicationID: r.dc.ApplicationID(),
			APIURL: r.dc.URL(), CommunityTrigger: "mention", Pacing: pacing}
	}
	return cfg
}

// service is a running cornershop.
type service interface {
	// usage returns the CPU time the service has used so far and its peak
	// resident set size in bytes.
	usage() (cpu time.Duration, peakRSS int64)
	// stop shuts the service down, draining deliveries in flight.
	stop() error
}

// start runs the service against the rig (s.replicas processes sharing
// its database) and waits until every replica answers and the platform
// connections are up, wherever they are held.
func (r *rig) start(ctx context.Context, s serviceSetup) (*replicaSet, error) {
	set := &replicaSet{}
	if r.o.webhookMode() {
		lb, err := startBalancer()
		if err != nil {
			return nil, err
		}
		set.lb, s.publicURL = lb, lb.url()
	}
	for i := range max(1, s.replicas) {
		port, err := freePort()
		if err != nil {
			_ = set.stop()
			return nil, err
		}
		listen := "127.0.0.1:" + strconv.Itoa(port)
		cfg := r.config(s, listen)
		var svc service
		if r.o.InProcess != nil {
			svc, err = startInProcess(ctx, cfg, r.o.Verbose, r.o.InProcess)
		} else {
			svc, err = r.startProcess(cfg, i)
		}
		if err != nil {
			_ = set.stop()
			return nil, err
		}
		set.members = append(set.members, member{service: svc, listen: listen})
		if set.lb != nil {
			set.lb.add(listen)
		}
	}
	if err := r.waitReady(ctx, set, s); err != nil {
		_ = set.stop()
		return nil, err
	}
	return set, nil
}

// waitReady waits for /healthz and for the adapters' connections: a
// Telegram long poll (in webhook mode: every replica's setWebhook), the
// Slack socket, the Discord gateway.
func (r *rig) waitReady(ctx context.Context, set *replicaSet, s serviceSetup) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	telegramReady := r.rec.polled
	if r.o.webhookMode() {
		telegramReady = func() bool { return r.rec.webhooksSet() >= len(set.members) }
	}
	for {
		if set.healthy(ctx) && telegramReady() && r.sl.Connected() > 0 && (!s.discord || r.dc.Sessions() > 0) {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("bench: the service did not become ready within 30 s (see its log with --keep)")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func healthy(ctx context.Context, listen string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+listen+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// serviceConfig is cfg as an operator gives it: a YAML file, and the
// secrets in the environment.
func serviceConfig(cfg *config.Config) (yamlBody []byte, env []string, err error) {
	body, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: config: %w", err)
	}
	return body, []string{
		"CORNERSHOP_DATABASE_DSN=" + cfg.Database.DSN.Reveal(),
		"CORNERSHOP_TELEGRAM_TOKEN=" + cfg.Telegram.Token.Reveal(),
		"CORNERSHOP_TELEGRAM_WEBHOOK_SECRET=" + cfg.Telegram.WebhookSecret.Reveal(),
		"CORNERSHOP_SLACK_BOT_TOKEN=" + cfg.Slack.BotToken.Reveal(),
		"CORNERSHOP_SLACK_APP_TOKEN=" + cfg.Slack.AppToken.Reveal(),
		"CORNERSHOP_DISCORD_TOKEN=" + cfg.Discord.Token.Reveal(),
	}, nil
}

// process is the service as a child process: `cornershop serve` of this
// very binary, with the configuration in a file and the secrets in its
// environment, as an operator runs it.
type process struct {
	cmd  *exec.Cmd
	done chan error
}

// startProcess starts replica i (0 for a single service).
func (r *rig) startProcess(cfg *config.Config, i int) (service, error) {
	exe := r.o.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	body, env, err := serviceConfig(cfg)
	if err != nil {
		return nil, err
	}
	suffix := ""
	if i > 0 {
		suffix = "-" + strconv.Itoa(i+1)
	}
	path := filepath.Join(r.dir, "cornershop"+suffix+".yaml")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	logf, err := os.OpenFile(filepath.Join(r.dir, "serve"+suffix+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cmd := exec.Command(exe, "serve", "--config", path)
	cmd.Stdout, cmd.Stderr = logf, logf
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CORNERSHOP_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("bench: start the service: %w", err)
	}
	p := &process{cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); logf.Close() }()
	return p, nil
}

func (p *process) usage() (time.Duration, int64) {
	return procCPU(p.cmd.Process.Pid), procPeakRSS(p.cmd.Process.Pid)
}

func (p *process) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("bench: the service exited: %w", err)
		}
		return nil
	case <-time.After(40 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return errors.New("bench: the service did not stop within 40 s; killed")
	}
}

// inProcess is the service inside the bench's own process (tests and
// `go test -bench`): its CPU and RSS figures include the emulators'.
type inProcess struct {
	stopFn func()
	done   chan error
}

func startInProcess(ctx context.Context, cfg *config.Config, verbose bool, start Starter) (service, error) {
	// Through the file and the environment, as the child process reads
	// it: the configuration is validated the same way.
	body, env, err := serviceConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg, err = config.Parse(bytes.NewReader(body), "bench", func(k string) string {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	out := io.Discard
	if verbose {
		out = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	run, err := start(runCtx, cfg, log)
	if err != nil {
		stop()
		return nil, err
	}
	s := &inProcess{stopFn: stop, done: make(chan error, 1)}
	go func() { s.done <- run(runCtx) }()
	return s, nil
}

func (s *inProcess) usage() (time.Duration, int64) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpu, procPeakRSS(os.Getpid())
}

func (s *inProcess) stop() error {
	s.stopFn()
	return <-s.done
}

// procCPU is a process's user + system CPU time from /proc (0 if unknown).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks
}

// procPeakRSS is a process's peak resident set size (VmHWM) in bytes.
func procPeakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
