package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"cornershop/config"
)

// environKey is a name no environment variable can have: getenv answers it
// with the names of the variables set, one a line, when the caller can list
// them (main does), so variables that set nothing can be reported.
const environKey = "\x00environ"

// unknownEnv lists the CORNERSHOP_* variables getenv knows of that set no
// configuration key.
func unknownEnv(getenv func(string) string) []config.Problem {
	names := strings.Split(getenv(environKey), "\n")
	return config.UnknownEnv(names)
}

// errUsage marks a command line that could not be understood.
var errUsage = errors.New("usage")

const usageText = `cornershop relays customer chats into your team's chat, in each person's own voice.

Usage:
  cornershop serve        [--config FILE]    run the service (default: SQLite in the working directory)
  cornershop playground   [--listen ADDR] [--data DIR]   a web page to play customers and staff on the emulators
  cornershop demo         [--keep-running]   play a scene against the built-in platform emulators
  cornershop migrate      [--config FILE]    bring the database schema up to date
  cornershop check-config [--config FILE]    validate a configuration and print every problem
  cornershop emulate      telegram|slack|discord [--listen ADDR] [--chat]   run one platform emulator (user-side API under /emulator/; --chat: type as its customer and staff, Slack)
  cornershop bench        [--db DSN] [--scenario LIST]   measure end to end against the emulators (BENCHMARKS.md)
  cornershop version

Configuration: one YAML file (--config or CORNERSHOP_CONFIG), every key overridable
by CORNERSHOP_* environment variables, secrets also from CORNERSHOP_*_FILE.
`

// run is the whole program: main only adds the process's arguments,
// environment, output and signals.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "check-config":
		return cmdCheckConfig(rest, getenv, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, getenv, stdout, stderr)
	case "playground":
		return cmdPlayground(ctx, rest, getenv, stdout, stderr)
	case "emulate":
		return cmdEmulate(ctx, rest, stdout, stderr)
	case "bench":
		return cmdBench(ctx, rest, stdout, stderr)
	case "healthcheck":
		return cmdHealthcheck(ctx, getenv, stdout)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "cornershop", version())
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	fmt.Fprint(stderr, usageText)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// configFlag adds --config to fs, defaulting to CORNERSHOP_CONFIG.
func configFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("config", getenv("CORNERSHOP_CONFIG"), "configuration `file` (YAML)")
}

// loadConfig loads and validates the configuration; a missing file is
// explained, since a new volume or a wrong mount is the usual cause.
func loadConfig(path string, getenv func(string) string) (*config.Config, error) {
	cfg, err := config.Load(path, getenv)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("configuration file %s does not exist: create it (config/example.yaml is a complete example), "+
			"or leave out --config and CORNERSHOP_CONFIG to configure with CORNERSHOP_* variables alone: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return cfg, nil
}

// parseFlags parses a command's flags; --help prints them and is not an
// error.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: %w", errUsage, err)
	}
	return false, nil
}

// newLogger returns the process logger: text on a terminal, JSON otherwise,
// unless the configuration says which.
func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := strings.ToLower(string(c.Format))
	if format == "" || format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func cmdCheckConfig(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs, getenv)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	for _, p := range unknownEnv(getenv) {
		fmt.Fprintln(stdout, "warning:", p)
	}
	cfg, err := loadConfig(*path, getenv)
	if err != nil {
		fmt.Fprintln(stdout, err)
		return errors.New("the configuration has problems")
	}
	fmt.Fprintf(stdout, "configuration ok: database %s, %d staff, %d desks, platforms: %s\n",
		cfg.Database.Driver, len(cfg.Staff), len(cfg.Desks), strings.Join(enabledPlatforms(cfg), ", "))
	return nil
}

func enabledPlatforms(cfg *config.Config) []string {
	var on []string
	if cfg.Telegram.Enabled {
		on = append(on, "telegram")
	}
	if cfg.Slack.Enabled {
		on = append(on, "slack")
	}
	if cfg.Discord.Enabled {
		on = append(on, "discord")
	}
	if len(on) == 0 {
		on = []string{"none"}
	}
	return on
}

// cmdHealthcheck asks a local serve for /healthz; distroless images have no
// curl, so the container's HEALTHCHECK runs this.
func cmdHealthcheck(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	name := "CORNERSHOP_HTTP_ADMIN_LISTEN"
	addr := getenv(name)
	if addr == "" {
		name, addr = "CORNERSHOP_HTTP_LISTEN", getenv("CORNERSHOP_HTTP_LISTEN")
	}
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: %w", name, addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthz: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %s", resp.Status)
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
}
