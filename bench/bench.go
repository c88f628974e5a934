package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"cornershop/config"
)

// Options are a run's settings (`cornershop bench`'s flags).
type Options struct {
	DB             string // a postgres:// DSN; "" for SQLite in a temporary directory
	Scenarios      []string
	Messages       int           // burst size (scenarios 1, 4, 5)
	Conversations  int           // conversations the messages spread over
	Rates          []int         // scenario 2's paces, messages per second
	PacedFor       time.Duration // how long each pace lasts
	ReplyCustomers int           // scenario 3's customers across the three platforms
	SlackChannels  int           // Slack Connect channels the Slack customers share
	SlowLatency    time.Duration // scenario 4's answer delay on every call
	SlowMessages   int
	LargeMessages  int // scenario 5's messages already stored
	LargeContacts  int
	Workers        int // outbox.workers; 0 keeps the configuration default
	// TelegramMode is telegram.mode for the service: "polling" (or "") or
	// "webhook", where the Telegram emulator pushes each customer message,
	// up to telegram.webhook_max_connections (100) at a time, through a round-robin load balancer on loopback
	// in front of the replicas.
	TelegramMode string
	Timeout      time.Duration // the longest wait for one phase's deliveries
	// InProcess, when set, runs the service inside this process through it
	// (tests); nil runs `cornershop serve` of Exe as a child process.
	InProcess  Starter
	Keep       bool // keep each scenario's directory (database, config, log)
	Verbose    bool
	Dir        string // parent of the scenarios' directories ["" = the system's temp dir]
	CPUProfile string // write a CPU profile of the bench process here
	// Replicas lists the numbers of `cornershop serve` processes sharing
	// the database that the burst and slow scenarios run with, each in turn.
	Replicas []int
	Exe      string // the cornershop binary [this one]
	Version  string // the build's version, printed in the report
}

// Starter builds the service from cfg inside this process, logging to log;
// run serves until its context ends. ctx is the service's lifetime.
type Starter func(ctx context.Context, cfg *config.Config, log *slog.Logger) (run func(context.Context) error, err error)

// AllScenarios names every scenario, in the order a full run takes them.
var AllScenarios = []string{"burst", "paced", "replies", "slow", "large"}

// benchReport is everything one run measured.
type benchReport struct {
	results []result
	replies []replyResult
	errs    []error
}

func (b *benchReport) add(r ...result) {
	for _, x := range r {
		b.results = append(b.results, x)
		if x.err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s: %w", x.name, x.err))
		}
	}
}

func (b *benchReport) find(name string) (result, bool) {
	for _, r := range b.results {
		if r.name == name {
			return r, true
		}
	}
	return result{}, false
}

// Run runs the scenarios o names and prints the report to stdout
// (progress to stderr with Verbose).
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) error {
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	began := time.Now()
	printBenchSettings(stdout, o)
	var rep benchReport
	progress := func(s string) {
		if o.Verbose {
			fmt.Fprintf(stderr, "%6.1fs  %s\n", time.Since(began).Seconds(), s)
		}
	}
	for _, s := range o.Scenarios {
		progress("scenario " + s)
		switch s {
		case "burst":
			for _, n := range o.Replicas {
				rep.add(runBurst(ctx, o, "burst", o.Messages, o.Conversations, n, nil))
			}
		case "paced":
			rep.add(runPaced(ctx, o)...)
		case "replies":
			rs, err := runReplies(ctx, o)
			rep.replies = rs
			if err != nil {
				rep.errs = append(rep.errs, fmt.Errorf("replies: %w", err))
			}
		case "slow":
			for _, n := range o.Replicas {
				rep.add(runBurst(ctx, o, "slow platform", o.SlowMessages, o.Conversations, n, func(r *rig) error {
					r.latency(o.SlowLatency)
					return nil
				}))
			}
		case "large":
			rep.add(runBurst(ctx, o, "large store", o.Messages, o.Conversations, 1, func(r *rig) error {
				t := time.Now()
				if err := seedLarge(ctx, r, o.LargeContacts, o.LargeMessages); err != nil {
					return err
				}
				progress(fmt.Sprintf("seeded %d messages, %d contacts in %.1fs", o.LargeMessages, o.LargeContacts, time.Since(t).Seconds()))
				return nil
			}))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	printBenchResults(stdout, o, &rep)
	fmt.Fprintf(stdout, "\nWhole run: %.0f s.\n", time.Since(began).Seconds())
	return errors.Join(rep.errs...)
}

func printBenchSettings(w io.Writer, o Options) {
	def := config.Default()
	workers := def.Outbox.Workers
	if o.Workers > 0 {
		workers = o.Workers
	}
	db := "SQLite (modernc, WAL, synchronous=normal) in a temporary directory"
	if o.DB != "" {
		db = "PostgreSQL, a fresh schema per scenario"
	}
	service := "`cornershop serve` of this binary, as a child process (CPU and RSS are its own)"
	if o.InProcess != nil {
		service = "inside the bench process (CPU and RSS include the emulators and the load)"
	}
	fmt.Fprintf(w, "cornershop bench — %s\n", o.Version)
	fmt.Fprintf(w, "machine: %s, %d CPUs, %s/%s, %s, load average %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), loadAvg())
	fmt.Fprintf(w, "service: %s\ndatabase: %s; outbox.workers %d; every other setting at its default\n", service, db, workers)
	if slices.Max(o.Replicas) > 1 {
		fmt.Fprintf(w, "replicas: burst and slow platform run with %s `cornershop serve` processes on one database in turn; CPU is theirs together, peak RSS the largest one's\n", joinInts(o.Replicas))
	}
	if o.webhookMode() {
		fmt.Fprintf(w, "telegram: webhook mode (telegram.mode: webhook): the emulator pushes updates as Telegram does, up to %d at once (telegram.webhook_max_connections), one at a time per chat, to a round-robin HTTP load balancer in the bench process that alternates them between the replicas; recorded = the last push answered 200\n", config.Default().Telegram.WebhookMaxConnections)
	} else {
		fmt.Fprintf(w, "telegram: long polling (telegram.mode: polling): one replica holds the poll and receives every customer message; recorded = the getUpdates offset passing the last one\n")
	}
	fmt.Fprintf(w, "emulators: in the bench process on loopback; rate limits off and adapter pacing off (telegram.pacing, slack.pacing, discord.pacing: off)\n")
	fmt.Fprintf(w, "  except replies: limits on (Telegram 30/s per bot and 1/s per chat, Slack 1/s per channel, Discord 50/s and buckets), pacing published\n")
	fmt.Fprintf(w, "  latency 0 except slow platform: every call answered after %s\n", o.SlowLatency)
	fmt.Fprintf(w, "traffic: Telegram customers in private chats -> one Slack desk channel, a thread per conversation\n")
	fmt.Fprintf(w, "  burst %d messages over %d conversations; paced %v/s for %s each after one warm-up message per conversation;\n",
		o.Messages, o.Conversations, o.Rates, o.PacedFor)
	fmt.Fprintf(w, "  replies to %d customers (Telegram, Slack Connect in %d channels, Discord DMs); slow %d messages; large store %d messages, %d contacts\n",
		o.ReplyCustomers, o.SlackChannels, o.SlowMessages, o.LargeMessages, o.LargeContacts)
	fmt.Fprintf(w, "repeat: cornershop bench --messages %d --conversations %d --rates %s --paced-for %s --reply-customers %d --slack-channels %d --latency %s --slow-messages %d --large-messages %d --large-contacts %d --workers %d --replicas %s --telegram-mode %s\n",
		o.Messages, o.Conversations, joinInts(o.Rates), o.PacedFor, o.ReplyCustomers, o.SlackChannels, o.SlowLatency, o.SlowMessages, o.LargeMessages, o.LargeContacts, workers, joinInts(o.Replicas), o.telegramMode())
}

// telegramMode is o.TelegramMode with its default.
func (o Options) telegramMode() string {
	if o.TelegramMode == "" {
		return "polling"
	}
	return o.TelegramMode
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
