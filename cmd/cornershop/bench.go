package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"cornershop/config"
)

// benchOptions are `cornershop bench`'s flags.
type benchOptions struct {
	db             string // a postgres:// DSN; "" for SQLite in a temporary directory
	scenarios      []string
	messages       int           // burst size (scenarios 1, 4, 5)
	convs          int           // conversations the messages spread over
	rates          []int         // scenario 2's paces, messages per second
	pacedFor       time.Duration // how long each pace lasts
	replyCustomers int           // scenario 3's customers across the three platforms
	slackChannels  int           // Slack Connect channels the Slack customers share
	slowLatency    time.Duration // scenario 4's answer delay on every call
	slowMessages   int
	largeMessages  int // scenario 5's messages already stored
	largeContacts  int
	workers        int           // outbox.workers; 0 keeps the configuration default
	timeout        time.Duration // the longest wait for one phase's deliveries
	inProcess      bool          // run the service inside this process (tests)
	keep           bool          // keep each scenario's directory (database, config, log)
	verbose        bool
	dir            string // parent of the scenarios' directories ["" = the system's temp dir]
	cpuProfile     string // write a CPU profile of the bench process here
	// replicas lists the numbers of `cornershop serve` processes sharing
	// the database that the burst and slow scenarios run with, each in turn.
	replicas []int
	exe      string // the cornershop binary [this one]
}

var allScenarios = []string{"burst", "paced", "replies", "slow", "large"}

func parseBenchFlags(args []string, stderr io.Writer) (benchOptions, error) {
	var o benchOptions
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.db, "db", "", "PostgreSQL `dsn` (postgres://…); each scenario gets a fresh schema [SQLite in a temp dir]")
	scen := fs.String("scenario", strings.Join(allScenarios, ","), "comma-separated `list` of scenarios: "+strings.Join(allScenarios, ", "))
	fs.IntVar(&o.messages, "messages", 5000, "messages in the burst (burst, large)")
	fs.IntVar(&o.convs, "conversations", 500, "conversations the messages spread over")
	rates := fs.String("rates", "50,200,1000", "paced scenario: messages per `second`, comma-separated")
	fs.DurationVar(&o.pacedFor, "paced-for", 10*time.Second, "paced scenario: how long each pace lasts")
	fs.IntVar(&o.replyCustomers, "reply-customers", 500, "replies scenario: customers answered, split over Telegram, Slack and Discord")
	fs.IntVar(&o.slackChannels, "slack-channels", 10, "replies scenario: Slack Connect channels the Slack customers share")
	fs.DurationVar(&o.slowLatency, "latency", 50*time.Millisecond, "slow scenario: delay of every emulator answer")
	fs.IntVar(&o.slowMessages, "slow-messages", 5000, "slow scenario: messages in the burst")
	fs.IntVar(&o.largeMessages, "large-messages", 1_000_000, "large scenario: messages already stored")
	fs.IntVar(&o.largeContacts, "large-contacts", 100_000, "large scenario: contacts already stored (one conversation each)")
	fs.IntVar(&o.workers, "workers", 0, "outbox.workers for the service (0: the configuration default)")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "longest wait for one phase's deliveries")
	fs.BoolVar(&o.inProcess, "in-process", false, "run the service inside the bench process (CPU and RSS then include the emulators)")
	fs.BoolVar(&o.keep, "keep", false, "keep each scenario's directory: database, configuration, service log")
	fs.StringVar(&o.dir, "dir", "", "`directory` for the scenarios' directories [the system's temporary directory]")
	fs.BoolVar(&o.verbose, "v", false, "print progress")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the bench process to `file` (with --in-process it covers the service)")
	replicas := fs.String("replicas", "1", "burst and slow scenarios: comma-separated `counts` of `cornershop serve` replicas sharing the database, each run in turn (above 1 needs --db)")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	for _, s := range strings.Split(*scen, ",") {
		if s = strings.TrimSpace(s); !slices.Contains(allScenarios, s) {
			return o, fmt.Errorf("%w: unknown scenario %q (want %s)", errUsage, s, strings.Join(allScenarios, ", "))
		}
		o.scenarios = append(o.scenarios, strings.TrimSpace(s))
	}
	var err error
	if o.rates, err = positiveInts("rates", *rates); err != nil {
		return o, err
	}
	if o.replicas, err = positiveInts("replicas", *replicas); err != nil {
		return o, err
	}
	if slices.Max(o.replicas) > 1 && (o.db == "" || o.inProcess) {
		return o, fmt.Errorf("%w: --replicas above 1 needs --db (replicas share a PostgreSQL database) and separate processes (no --in-process)", errUsage)
	}
	if o.messages <= 0 || o.convs <= 0 || o.convs > o.messages || o.replyCustomers < 3 || o.slackChannels <= 0 || o.largeContacts <= 0 {
		return o, fmt.Errorf("%w: sizes must be positive, with no more conversations than messages", errUsage)
	}
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

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	return cmdBenchWith(ctx, o, stdout, stderr)
}

// cmdBenchWith runs the scenarios o names and prints the report.
func cmdBenchWith(ctx context.Context, o benchOptions, stdout, stderr io.Writer) error {
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
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
		if o.verbose {
			fmt.Fprintf(stderr, "%6.1fs  %s\n", time.Since(began).Seconds(), s)
		}
	}
	for _, s := range o.scenarios {
		progress("scenario " + s)
		switch s {
		case "burst":
			for _, n := range o.replicas {
				rep.add(runBurst(ctx, o, "burst", o.messages, o.convs, n, nil))
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
			for _, n := range o.replicas {
				rep.add(runBurst(ctx, o, "slow platform", o.slowMessages, o.convs, n, func(r *rig) error {
					r.latency(o.slowLatency)
					return nil
				}))
			}
		case "large":
			rep.add(runBurst(ctx, o, "large store", o.messages, o.convs, 1, func(r *rig) error {
				t := time.Now()
				if err := seedLarge(ctx, r, o.largeContacts, o.largeMessages); err != nil {
					return err
				}
				progress(fmt.Sprintf("seeded %d messages, %d contacts in %.1fs", o.largeMessages, o.largeContacts, time.Since(t).Seconds()))
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

func printBenchSettings(w io.Writer, o benchOptions) {
	def := config.Default()
	workers := def.Outbox.Workers
	if o.workers > 0 {
		workers = o.workers
	}
	db := "SQLite (modernc, WAL, synchronous=normal) in a temporary directory"
	if o.db != "" {
		db = "PostgreSQL, a fresh schema per scenario"
	}
	service := "`cornershop serve` of this binary, as a child process (CPU and RSS are its own)"
	if o.inProcess {
		service = "inside the bench process (CPU and RSS include the emulators and the load)"
	}
	fmt.Fprintf(w, "cornershop bench — %s\n", version())
	fmt.Fprintf(w, "machine: %s, %d CPUs, %s/%s, %s, load average %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), loadAvg())
	fmt.Fprintf(w, "service: %s\ndatabase: %s; outbox.workers %d; every other setting at its default\n", service, db, workers)
	if slices.Max(o.replicas) > 1 {
		fmt.Fprintf(w, "replicas: burst and slow platform run with %s `cornershop serve` processes on one database in turn; CPU is theirs together, peak RSS the largest one's\n", joinInts(o.replicas))
	}
	fmt.Fprintf(w, "emulators: in the bench process on loopback; rate limits off and adapter pacing off (telegram.pacing, slack.pacing, discord.pacing: off)\n")
	fmt.Fprintf(w, "  except replies: limits on (Telegram 30/s per bot and 1/s per chat, Slack 1/s per channel, Discord 50/s and buckets), pacing published\n")
	fmt.Fprintf(w, "  latency 0 except slow platform: every call answered after %s\n", o.slowLatency)
	fmt.Fprintf(w, "traffic: Telegram customers in private chats -> one Slack desk channel, a thread per conversation\n")
	fmt.Fprintf(w, "  burst %d messages over %d conversations; paced %v/s for %s each after one warm-up message per conversation;\n",
		o.messages, o.convs, o.rates, o.pacedFor)
	fmt.Fprintf(w, "  replies to %d customers (Telegram, Slack Connect in %d channels, Discord DMs); slow %d messages; large store %d messages, %d contacts\n",
		o.replyCustomers, o.slackChannels, o.slowMessages, o.largeMessages, o.largeContacts)
	fmt.Fprintf(w, "repeat: cornershop bench --messages %d --conversations %d --rates %s --paced-for %s --reply-customers %d --slack-channels %d --latency %s --slow-messages %d --large-messages %d --large-contacts %d --workers %d --replicas %s\n",
		o.messages, o.convs, joinInts(o.rates), o.pacedFor, o.replyCustomers, o.slackChannels, o.slowLatency, o.slowMessages, o.largeMessages, o.largeContacts, workers, joinInts(o.replicas))
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
