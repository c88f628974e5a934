package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg, err := loadConfig(*path, getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.Log)
	if *path == "" {
		log.Info("no configuration file: running on the defaults", "database", cfg.Database.Driver)
	}
	adapters, missing, err := buildAdapters(cfg, log)
	if err != nil {
		return err
	}
	for _, m := range missing {
		log.Warn("platform not configured", "platform", m.platform, "how", m.how)
	}
	a, err := newApp(ctx, cfg, log, adapters)
	if err != nil {
		return err
	}
	return a.run(ctx, func(addr string) { fmt.Fprintf(stdout, "cornershop serving on %s\n", addr) })
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg, err := loadConfig(*path, getenv)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, newLogger(stderr, cfg.Log), true, "")
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "database schema is up to date (%s)\n", cfg.Database.Driver)
	return nil
}
