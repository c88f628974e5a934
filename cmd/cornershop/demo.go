package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cornershop/bots/telegram/telegramfake"
	"cornershop/config"
)

// demo is one run of `cornershop demo`: the emulators, the real service
// against them, and a scene printed as each side sees it.
type demo struct {
	out  io.Writer
	tg   *telegramfake.Server
	cust telegramfake.User
	// staff on the Telegram desk
	alice telegramfake.User
	desk  telegramfake.Chat
}

func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keep := fs.Bool("keep-running", false, "leave the emulators and the service running after the scene")
	verbose := fs.Bool("v", false, "show the service's logs")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	dir, err := os.MkdirTemp("", "cornershop-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)

	tg, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer tg.Close()
	d := &demo{out: stdout, tg: tg}
	d.cust, d.alice, d.desk = tg.SeedDemo()

	cfg := d.config(filepath.Join(dir, "demo.db"))
	logOut := io.Discard
	if *verbose {
		logOut = stderr
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))
	adapters, _, err := buildAdapters(cfg, log)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	a, err := newApp(runCtx, cfg, log, adapters)
	if err != nil {
		return err
	}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.run(runCtx, func(s string) { addr <- s }) }()
	var httpAddr string
	select {
	case httpAddr = <-addr:
	case err := <-done:
		return fmt.Errorf("demo: the service stopped: %w", err)
	}

	sceneErr := d.play(runCtx)
	if sceneErr == nil && *keep {
		fmt.Fprintf(stdout, "\nEverything is still running (Ctrl-C to stop):\n  cornershop       http://%s  (/healthz /readyz /metrics)\n  Telegram Bot API %s  (token %s)\n", httpAddr, tg.URL(), tg.Token())
		<-ctx.Done()
	}
	stop()
	if err := <-done; err != nil && sceneErr == nil {
		return fmt.Errorf("demo: %w", err)
	}
	return sceneErr
}

// config is the built-in demo configuration: every platform is an emulator.
func (d *demo) config(dbPath string) *config.Config {
	cfg := config.Default()
	cfg.Database.DSN = config.NewSecret(dbPath)
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Team = config.Team{Name: "Acme Support", Greeting: "Hi! This is Acme. Write your question and a person will answer."}
	cfg.Outbox.BaseBackoff, cfg.Outbox.MaxBackoff = 100*time.Millisecond, time.Second
	cfg.Snippets = []config.Snippet{{Name: "thanks", Text: "Thanks for your patience, {contact.first_name}! — {staff.first_name}, {team.name}"}}
	cfg.Staff = []config.Staff{{
		ID: "alice", Name: "Alice Martin", Title: "Customer Care", Roles: []string{"agent", "moderator"},
		AvatarURL:  "https://example.com/alice.png",
		Identities: config.Identities{Telegram: strconv.FormatInt(d.alice.ID, 10)},
	}}
	cfg.Desks = []config.Desk{{Name: "telegram-desk", Platform: "telegram", Channel: strconv.FormatInt(d.desk.ID, 10), Kind: "thread"}}
	cfg.Telegram = config.Telegram{Enabled: true, Token: config.NewSecret(d.tg.Token()), APIURL: d.tg.URL(), Mode: "polling",
		PollTimeout: time.Second, FileSizeLimit: 20 << 20}
	return cfg
}

// say prints one line of the scene.
func (d *demo) say(who, text string) {
	lines := strings.Split(text, "\n")
	fmt.Fprintf(d.out, "%-28s %s\n", who, lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(d.out, "%-28s %s\n", "", l)
	}
}

// waitFor polls cond for up to 15 s.
func waitFor(ctx context.Context, what string, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: timed out waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// play runs the scene.
func (d *demo) play(ctx context.Context) error {
	fmt.Fprintln(d.out, "cornershop demo — a customer on Telegram, the team in a Telegram forum desk")
	fmt.Fprintln(d.out, strings.Repeat("─", 78))

	if _, err := d.tg.SendText(d.cust.ID, 0, d.cust, "Hi! My order #1042 hasn't arrived yet. Can you check?"); err != nil {
		return err
	}
	d.say("[Telegram] Carla writes:", "Hi! My order #1042 hasn't arrived yet. Can you check?")
	var topic telegramfake.Topic
	if err := waitFor(ctx, "the desk topic", func() bool {
		ts := d.tg.Topics(d.desk.ID)
		if len(ts) == 1 && len(d.tg.BotMessages(d.desk.ID, ts[0].ThreadID)) >= 2 {
			topic = ts[0]
			return true
		}
		return false
	}); err != nil {
		return err
	}
	msgs := d.tg.BotMessages(d.desk.ID, topic.ThreadID)
	d.say("[Telegram desk] new topic:", topic.Name)
	d.say("  contact card:", msgs[0].Text)
	d.say("  customer's message:", msgs[1].Text)

	steps := []struct {
		who, text string
	}{
		{"[Telegram desk] Alice:", "// Carrier lost parcels in Lyon this week"},
		{"[Telegram desk] Alice:", "!assign me"},
		{"[Telegram desk] Alice:", "So sorry, Carla! Your parcel was delayed in Lyon; a new one leaves today with express shipping."},
		{"[Telegram desk] Alice:", "!snippet thanks"},
	}
	for _, s := range steps {
		if _, err := d.tg.SendText(d.desk.ID, topic.ThreadID, d.alice, s.text); err != nil {
			return err
		}
		d.say(s.who, s.text)
	}
	if err := waitFor(ctx, "the replies at the customer", func() bool { return len(d.tg.BotMessages(d.cust.ID, 0)) >= 2 }); err != nil {
		return err
	}
	for _, m := range d.tg.BotMessages(d.cust.ID, 0) {
		d.say("[Telegram] Carla sees:", m.Text)
	}
	if err := waitFor(ctx, "the assignment note", func() bool { return deskSays(d, topic.ThreadID, "Assigned to Alice Martin") }); err != nil {
		return err
	}
	d.say("[Telegram desk] cornershop:", "👤 Assigned to Alice Martin by Alice Martin.")
	if n := len(d.tg.BotMessages(d.cust.ID, 0)); n != 2 {
		return fmt.Errorf("demo: the customer saw %d messages, want the 2 replies (the note must stay internal)", n)
	}
	d.say("", "(the // note and the !assign stayed in the desk)")

	// A delivery that fails shows in the desk with the platform's reason.
	d.tg.Block(d.cust)
	if _, err := d.tg.SendText(d.desk.ID, topic.ThreadID, d.alice, "Did the parcel arrive?"); err != nil {
		return err
	}
	d.say("[Telegram desk] Alice:", "Did the parcel arrive?   (Carla has blocked the bot meanwhile)")
	if err := waitFor(ctx, "the failure receipt", func() bool { return deskSays(d, topic.ThreadID, "Not delivered") }); err != nil {
		return err
	}
	for _, m := range d.tg.BotMessages(d.desk.ID, topic.ThreadID) {
		if strings.Contains(m.Text, "Not delivered") {
			d.say("[Telegram desk] cornershop:", m.Text)
		}
	}
	fmt.Fprintln(d.out, strings.Repeat("─", 78))
	fmt.Fprintln(d.out, "Every message above is recorded in SQLite; replies went through the outbox.")
	return nil
}

func deskSays(d *demo, thread int, text string) bool {
	for _, m := range d.tg.BotMessages(d.desk.ID, thread) {
		if strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

var errEmulator = errors.New("emulate: want telegram, slack or discord")

func cmdEmulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %w", errUsage, errEmulator)
	}
	fs := flag.NewFlagSet("emulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8081", "`address` to listen on")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	switch args[0] {
	case "telegram":
		tg, err := telegramfake.Start(*listen, telegramfake.Options{})
		if err != nil {
			return err
		}
		defer tg.Close()
		cust, staff, desk := tg.SeedDemo()
		fmt.Fprintf(stdout, "Telegram Bot API emulator on %s\n  token %s\n  customer %d (%s), staff %d (%s), forum desk %d\n",
			tg.URL(), tg.Token(), cust.ID, cust.FirstName, staff.ID, staff.FirstName, desk.ID)
	default:
		return fmt.Errorf("%w: %w", errUsage, errEmulator)
	}
	<-ctx.Done()
	return nil
}
