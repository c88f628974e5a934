package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"cornershop/bench"
	"cornershop/config"
)

// The bench's logic lives in package bench; this is its command line and
// the in-process service it can run.

func parseBenchFlags(args []string, stderr io.Writer) (bench.Options, error) {
	var o bench.Options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.DB, "db", "", "PostgreSQL `dsn` (postgres://…); each scenario gets a fresh schema [SQLite in a temp dir]")
	scen := fs.String("scenario", strings.Join(bench.AllScenarios, ","), "comma-separated `list` of scenarios: "+strings.Join(bench.AllScenarios, ", "))
	fs.IntVar(&o.Messages, "messages", 5000, "messages in the burst (burst, large)")
	fs.IntVar(&o.Conversations, "conversations", 500, "conversations the messages spread over")
	rates := fs.String("rates", "50,200,1000", "paced scenario: messages per `second`, comma-separated")
	fs.DurationVar(&o.PacedFor, "paced-for", 10*time.Second, "paced scenario: how long each pace lasts")
	fs.IntVar(&o.ReplyCustomers, "reply-customers", 500, "replies scenario: customers answered, split over Telegram, Slack and Discord")
	fs.IntVar(&o.SlackChannels, "slack-channels", 10, "replies scenario: Slack Connect channels the Slack customers share")
	fs.DurationVar(&o.SlowLatency, "latency", 50*time.Millisecond, "slow scenario: delay of every emulator answer")
	fs.IntVar(&o.SlowMessages, "slow-messages", 5000, "slow scenario: messages in the burst")
	fs.IntVar(&o.LargeMessages, "large-messages", 1_000_000, "large scenario: messages already stored")
	fs.IntVar(&o.LargeContacts, "large-contacts", 100_000, "large scenario: contacts already stored (one conversation each)")
	fs.IntVar(&o.Workers, "workers", 0, "outbox.workers for the service (0: the configuration default)")
	fs.DurationVar(&o.Timeout, "timeout", 2*time.Minute, "longest wait for one phase's deliveries")
	inProcess := fs.Bool("in-process", false, "run the service inside the bench process (CPU and RSS then include the emulators)")
	fs.BoolVar(&o.Keep, "keep", false, "keep each scenario's directory: database, configuration, service log")
	fs.StringVar(&o.Dir, "dir", "", "`directory` for the scenarios' directories [the system's temporary directory]")
	fs.BoolVar(&o.Verbose, "v", false, "print progress")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the bench process to `file` (with --in-process it covers the service)")
	replicas := fs.String("replicas", "1", "burst and slow scenarios: comma-separated `counts` of `cornershop serve` replicas sharing the database, each run in turn (above 1 needs --db)")
	fs.StringVar(&o.TelegramMode, "telegram-mode", "polling", "telegram.mode for the service: polling (one replica receives every customer message) or webhook (pushes through a round-robin load balancer in front of the replicas)")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	if *inProcess {
		o.InProcess = startBenchService
	}
	for _, s := range strings.Split(*scen, ",") {
		if s = strings.TrimSpace(s); !slices.Contains(bench.AllScenarios, s) {
			return o, fmt.Errorf("%w: unknown scenario %q (want %s)", errUsage, s, strings.Join(bench.AllScenarios, ", "))
		}
		o.Scenarios = append(o.Scenarios, strings.TrimSpace(s))
	}
	var err error
	if o.Rates, err = positiveInts("rates", *rates); err != nil {
		return o, err
	}
	if o.Replicas, err = positiveInts("replicas", *replicas); err != nil {
		return o, err
	}
	if o.TelegramMode != "polling" && o.TelegramMode != "webhook" {
		return o, fmt.Errorf("%w: --telegram-mode: %q is neither polling nor webhook", errUsage, o.TelegramMode)
	}
	if slices.Max(o.Replicas) > 1 && (o.DB == "" || o.InProcess != nil) {
		return o, fmt.Errorf("%w: --replicas above 1 needs --db (replicas share a PostgreSQL database) and separate processes (no --in-process)", errUsage)
	}
	if o.Messages <= 0 || o.Conversations <= 0 || o.Conversations > o.Messages || o.ReplyCustomers < 3 || o.SlackChannels <= 0 || o.LargeContacts <= 0 {
		return o, fmt.Errorf("%w: sizes must be positive, with no more conversations than messages", errUsage)
	}
	o.Version = version()
	return o, nil
}

// positiveInts reads flag name's comma-separated list of positive numbers.
func positiveInts(name, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%w: --%s: %q is not a positive number", errUsage, name, s)
		}
		out = append(out, n)
	}
	return out, nil
}

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	return bench.Run(ctx, o, stdout, stderr)
}

// startBenchService is bench.Starter for --in-process: the service as
// `cornershop serve` builds it, inside this process.
func startBenchService(ctx context.Context, cfg *config.Config, log *slog.Logger) (func(context.Context) error, error) {
	adapters, _, err := buildAdapters(cfg, log)
	if err != nil {
		return nil, err
	}
	a, err := newApp(ctx, cfg, log, adapters)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return a.run(ctx, nil) }, nil
}
