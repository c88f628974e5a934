package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
)

// cmdServe runs the service until ctx ends.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs, getenv)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, err := loadConfig(*path, getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.Log)
	for _, p := range unknownEnv(getenv) {
		log.Warn("unknown environment variable", "variable", p.Path, "detail", p.Message)
	}
	if *path == "" {
		log.Info("no configuration file: configured from defaults and CORNERSHOP_* variables", "database", cfg.Database.Driver)
	}
	adapters, missing, err := buildAdapters(cfg, log)
	if err != nil {
		return err
	}
	logPlatforms(log, adapters, missing)
	if err := waitForDatabase(ctx, cfg, log, databaseBackoff); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting: nothing started, nothing to drain
		}
		return err
	}
	a, err := newApp(ctx, cfg, log, adapters)
	if err != nil {
		return err
	}
	return a.run(ctx, func(addr string) { fmt.Fprintf(stdout, "cornershop serving on %s\n", addr) })
}

// logPlatforms says which platforms run; only when none does, it warns
// with how to turn each on (a platform turned off on purpose is not a
// problem).
func logPlatforms(log *slog.Logger, adapters []adapter, off []unconfigured) {
	if len(adapters) > 0 {
		log.Info("platforms enabled", "platforms", names(adapters))
		return
	}
	for _, m := range off {
		log.Warn("no platform enabled", "platform", m.platform, "how", m.how)
	}
}

// cmdMigrate brings the schema up to date and exits.
func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs, getenv)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, err := loadConfig(*path, getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.Log)
	if err := waitForDatabase(ctx, cfg, log, databaseBackoff); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log, true, "")
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "database schema is up to date (%s)\n", cfg.Database.Driver)
	return nil
}
