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

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/config"
)

// demo is one run of `cornershop demo`: the emulators, the real service
// against them, and a scene printed as each side sees it.
type demo struct {
	out io.Writer
	tg  *telegramfake.Server
	sl  *slackfake.Server
	// Telegram: a customer, and Bob answering in the forum desk.
	carla, bob telegramfake.User
	tgDesk     telegramfake.Chat
	// Slack: the desk channel with Alice, and a Slack Connect customer.
	slDesk, shared slackfake.Channel
	alice, dana    slackfake.User
	// Discord: a community member, and Alice on the staff server's desk.
	dc                *discordfake.Server
	erin, dcAlice     discordfake.User
	dcSupport, dcDesk discordfake.Channel
	// Ideas: a Telegram group where every post is an idea, and a voter.
	tgIdeas telegramfake.Chat
	dave    telegramfake.User
	// Self-help: a new Telegram customer whose question an answer solves.
	fay telegramfake.User
}

func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keep := fs.Bool("keep-running", false, "leave the emulators and the service running after the scene")
	verbose := fs.Bool("v", false, "show the service's logs")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cornershop-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)

	d, svc, err := startDemo(ctx, filepath.Join(dir, "demo.db"), stdout, demoLogger(*verbose, getenv, stderr))
	if err != nil {
		return err
	}
	sceneErr := d.play(svc.ctx)
	if sceneErr == nil && *keep {
		fmt.Fprintf(stdout, "\nEverything is still running (Ctrl-C to stop):\n  cornershop        http://%s  (/healthz /readyz /metrics)\n"+
			"  Telegram Bot API  %s  (token %s)\n  Slack Web API     %s  (bot token %s, app token %s)\n  Discord API       %s  (token %s)\n",
			svc.addr, d.tg.URL(), d.tg.Token(), d.sl.APIURL(), d.sl.BotToken(), d.sl.AppToken(), d.dc.URL(), d.dc.Token())
		<-ctx.Done()
	}
	if err := svc.Close(); err != nil && sceneErr == nil {
		return fmt.Errorf("demo: %w", err)
	}
	return sceneErr
}

// demoLogger is the service's logger in the demo and the playground:
// silent unless verbose.
func demoLogger(verbose bool, getenv func(string) string, stderr io.Writer) *slog.Logger {
	logOut := io.Discard
	if verbose {
		logOut = stderr
	}
	level := slog.LevelInfo
	if strings.EqualFold(getenv("CORNERSHOP_LOG_LEVEL"), "debug") {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
}

// demoService is the real service running against the demo's emulators.
type demoService struct {
	ctx     context.Context // ends when the service stops
	addr    string          // its HTTP address
	stop    context.CancelFunc
	done    chan error
	closers []func() error // the emulators
}

// Close stops the service, then the emulators; it returns why the service
// stopped, if it failed.
func (s *demoService) Close() error {
	s.stop()
	var err error
	if s.done != nil {
		err = <-s.done
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		_ = s.closers[i]()
	}
	return err
}

// startDemo starts the three emulators seeded with the demo's people and
// the real service against them (SQLite at dbPath); Close the service to
// stop everything.
func startDemo(ctx context.Context, dbPath string, out io.Writer, log *slog.Logger) (_ *demo, _ *demoService, err error) {
	runCtx, stop := context.WithCancel(ctx)
	svc := &demoService{ctx: runCtx, stop: stop}
	defer func() {
		if err != nil {
			_ = svc.Close()
		}
	}()
	d := &demo{out: out}
	if d.tg, err = telegramfake.Start("127.0.0.1:0", telegramfake.Options{}); err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	svc.closers = append(svc.closers, d.tg.Close)
	if d.sl, err = slackfake.Start("127.0.0.1:0", slackfake.Options{}); err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	svc.closers = append(svc.closers, d.sl.Close)
	if d.dc, err = discordfake.Start("127.0.0.1:0", discordfake.Options{}); err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	svc.closers = append(svc.closers, d.dc.Close)
	d.carla = d.tg.AddUser("Carla", "Customer", "carla")
	d.bob = d.tg.AddUser("Bob", "Stone", "bob_billing")
	d.tgDesk = d.tg.AddGroup("Acme billing desk", true, true, d.bob)
	d.dave = d.tg.AddUser("Dave", "Voter", "dave")
	d.fay = d.tg.AddUser("Fay", "Newcomer", "fay")
	d.tgIdeas = d.tg.AddSupergroup("Acme ideas", true, d.carla, d.dave)
	d.slDesk, d.alice, _, d.dana, d.shared = d.sl.SeedDemo()
	d.erin, d.dcAlice, _, _, d.dcSupport, d.dcDesk, _ = d.dc.SeedDemo()

	cfg := d.config(dbPath)
	adapters, _, err := buildAdapters(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	a, err := newApp(runCtx, cfg, log, adapters)
	if err != nil {
		return nil, nil, err
	}
	addr := make(chan string, 1)
	svc.done = make(chan error, 1)
	go func() {
		svc.done <- a.run(runCtx, func(s string) { addr <- s })
		stop() // the service stopped: so does whatever runs with it
	}()
	select {
	case svc.addr = <-addr:
		return d, svc, nil
	case err := <-svc.done:
		svc.done = nil
		return nil, nil, fmt.Errorf("demo: the service stopped: %w", err)
	}
}

// config is the built-in demo configuration: every platform is an emulator.
func (d *demo) config(dbPath string) *config.Config {
	cfg := config.Default()
	cfg.Database.DSN = config.NewSecret(dbPath)
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Team = config.Team{Name: "Acme Support", AvatarURL: "https://example.com/acme.png", Greeting: "Hi! This is Acme. Write your question and a person will answer."}
	cfg.Outbox.BaseBackoff, cfg.Outbox.MaxBackoff = 100*time.Millisecond, time.Second
	cfg.Snippets = []config.Snippet{{Name: "thanks", Text: "Thanks for your patience, {contact.first_name}! — {staff.first_name}, {team.name}"}}
	cfg.Staff = []config.Staff{
		{ID: "alice", Name: "Alice Martin", Title: "Customer Care", Roles: []string{"agent", "moderator"},
			AvatarURL: "https://example.com/alice.png", Identities: config.Identities{Slack: d.alice.ID, Discord: d.dcAlice.ID}},
		{ID: "bob", Name: "Bob Stone", Title: "Billing", Roles: []string{"agent"},
			AvatarURL: "https://example.com/bob.png", Identities: config.Identities{Telegram: strconv.FormatInt(d.bob.ID, 10)}},
	}
	cfg.Desks = []config.Desk{
		{Name: "support", Platform: "slack", Channel: d.slDesk.ID, Kind: "thread"},
		{Name: "billing", Platform: "telegram", Channel: strconv.FormatInt(d.tgDesk.ID, 10), Kind: "thread"},
		{Name: "community", Platform: "discord", Channel: d.dcDesk.ID, Kind: "thread"},
	}
	cfg.Routes = []config.Route{{Platform: "slack", Desk: "billing"}, {Platform: "discord", Desk: "community"}}
	cfg.Ideas.Boards = []config.Board{{Platform: "telegram", Channel: strconv.FormatInt(d.tgIdeas.ID, 10)}}
	cfg.Answers.Suggest = "new_conversation"
	cfg.Telegram = config.Telegram{Enabled: true, Token: config.NewSecret(d.tg.Token()), APIURL: d.tg.URL(), Mode: "polling",
		PollTimeout: time.Second, FileSizeLimit: 20 << 20}
	cfg.Discord = config.Discord{Enabled: true, Token: config.NewSecret(d.dc.Token()), ApplicationID: d.dc.ApplicationID(), APIURL: d.dc.URL(),
		CommunityChannels: []string{d.dcSupport.ID}, CommunityTrigger: "mention"}
	cfg.Slack = config.Slack{Enabled: true, BotToken: config.NewSecret(d.sl.BotToken()), AppToken: config.NewSecret(d.sl.AppToken()),
		APIURL: d.sl.APIURL(), Mode: "socket", CustomerChannels: []string{d.shared.ID}}
	return cfg
}

// say prints one line of the scene.
func (d *demo) say(who, text string) {
	lines := strings.Split(text, "\n")
	fmt.Fprintf(d.out, "%-30s %s\n", who, lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(d.out, "%-30s %s\n", "", l)
	}
}

func (d *demo) scene(title string) {
	fmt.Fprintf(d.out, "\n── %s %s\n", title, strings.Repeat("─", max(0, 74-len([]rune(title)))))
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

// slackThread returns the first desk thread's root ts and its bot posts.
func (d *demo) slackThread() (string, []slackfake.Message) {
	for _, m := range d.sl.BotMessages(d.slDesk.ID, "") {
		if m.ThreadTS == "" {
			return m.TS, d.sl.BotMessages(d.slDesk.ID, m.TS)
		}
	}
	return "", nil
}

func slackAuthor(m slackfake.Message) string {
	if m.Username != "" {
		return m.Username
	}
	return "cornershop"
}

// play runs the scene.
func (d *demo) play(ctx context.Context) error {
	fmt.Fprintln(d.out, "cornershop demo — customers on Telegram, Slack and Discord; the team in Slack, a Telegram forum and Discord")
	if err := d.telegramCustomerSlackDesk(ctx); err != nil {
		return err
	}
	if err := d.slackCustomerTelegramDesk(ctx); err != nil {
		return err
	}
	if err := d.discordCommunity(ctx); err != nil {
		return err
	}
	if err := d.ideas(ctx); err != nil {
		return err
	}
	if err := d.failedDelivery(ctx); err != nil {
		return err
	}
	if err := d.selfHelp(ctx); err != nil {
		return err
	}
	if err := d.incident(ctx); err != nil {
		return err
	}
	fmt.Fprintln(d.out, "\nEvery message above is recorded in SQLite; every delivery went through the outbox.")
	return nil
}

func (d *demo) telegramCustomerSlackDesk(ctx context.Context) error {
	d.scene("1. A Telegram customer, answered from the Slack desk")
	const ask = "Hi! My order #1042 hasn't arrived yet. Can you check?"
	if _, err := d.tg.SendText(d.carla.ID, 0, d.carla, ask); err != nil {
		return err
	}
	d.say("[Telegram] Carla writes:", ask)
	var root string
	if err := waitFor(ctx, "the Slack desk thread", func() bool {
		var posts []slackfake.Message
		root, posts = d.slackThread()
		return len(posts) >= 2
	}); err != nil {
		return err
	}
	_, posts := d.slackThread()
	d.say("[Slack #support-desk] card:", posts[0].Text)
	d.say("  thread, as "+slackAuthor(posts[1])+":", posts[1].Text)
	for _, line := range []string{
		"// Carrier lost parcels in Lyon this week",
		"!assign me",
		"So sorry, Carla! Your parcel was delayed in Lyon; a new one leaves today with express shipping.",
		"!snippet thanks",
	} {
		if _, err := d.sl.Post(d.slDesk.ID, d.alice, line, root); err != nil {
			return err
		}
		d.say("[Slack thread] Alice:", line)
	}
	if err := waitFor(ctx, "the replies at the customer", func() bool { return len(d.tg.BotMessages(d.carla.ID, 0)) >= 2 }); err != nil {
		return err
	}
	for _, m := range d.tg.BotMessages(d.carla.ID, 0) {
		d.say("[Telegram] Carla sees:", m.Text)
	}
	if err := waitFor(ctx, "the assignment note", func() bool { return d.slackSays(root, "Assigned to Alice Martin") }); err != nil {
		return err
	}
	d.say("[Slack thread] cornershop:", "👤 Assigned to Alice Martin by Alice Martin.")
	if n := len(d.tg.BotMessages(d.carla.ID, 0)); n != 2 {
		return fmt.Errorf("demo: the customer saw %d messages, want the 2 replies (the note must stay internal)", n)
	}
	d.say("", "(the // note and !assign stayed in the desk)")
	return nil
}

func (d *demo) slackCustomerTelegramDesk(ctx context.Context) error {
	d.scene("2. A Slack Connect customer, answered from the Telegram forum desk")
	const ask = "<!channel> our last invoice counts 12 seats, we have 10."
	first, err := d.sl.Post(d.shared.ID, d.dana, ask, "")
	if err != nil {
		return err
	}
	d.say("[Slack #globex-acme] Dana:", ask)
	var topic telegramfake.Topic
	if err := waitFor(ctx, "the Telegram desk topic", func() bool {
		ts := d.tg.Topics(d.tgDesk.ID)
		if len(ts) == 1 && len(d.tg.BotMessages(d.tgDesk.ID, ts[0].ThreadID)) >= 2 {
			topic = ts[0]
			return true
		}
		return false
	}); err != nil {
		return err
	}
	msgs := d.tg.BotMessages(d.tgDesk.ID, topic.ThreadID)
	d.say("[Telegram desk] new topic:", topic.Name)
	d.say("  contact card:", msgs[0].Text)
	d.say("  customer's message:", msgs[1].Text)
	const answer = "You're right, Dana: I've refunded the 2 extra seats. The credit note follows by email."
	if _, err := d.tg.SendText(d.tgDesk.ID, topic.ThreadID, d.bob, answer); err != nil {
		return err
	}
	d.say("[Telegram desk] Bob:", answer)
	if err := waitFor(ctx, "the reply in Slack", func() bool { return len(d.sl.BotMessages(d.shared.ID, first.TS)) >= 1 }); err != nil {
		return err
	}
	m := d.sl.BotMessages(d.shared.ID, first.TS)[0]
	d.say("[Slack thread] Dana sees:", fmt.Sprintf("%s  [avatar %s]", m.Username, m.IconURL))
	d.say("", m.Text)
	return nil
}

func (d *demo) discordCommunity(ctx context.Context) error {
	d.scene("3. A Discord community member, answered from the Discord desk")
	if err := waitFor(ctx, "the Discord gateway", func() bool { return d.dc.Sessions() == 1 }); err != nil {
		return err
	}
	ask := "<@" + d.dc.Bot().ID + "> @everyone how do I move my save to a new PC?"
	first, err := d.dc.Send(d.dcSupport.ID, d.erin, ask)
	if err != nil {
		return err
	}
	d.say("[Discord #support] Erin:", "@cornershop @everyone how do I move my save to a new PC?")
	var thread string
	if err := waitFor(ctx, "the Discord desk thread", func() bool {
		ths := d.dc.Threads(d.dcDesk.ID)
		if len(ths) == 1 && len(d.dc.BotMessages(ths[0].ID)) >= 1 {
			thread = ths[0].ID
			return true
		}
		return false
	}); err != nil {
		return err
	}
	th, _ := d.dc.Channel(thread)
	copyMsg := d.dc.BotMessages(thread)[0]
	d.say("[Discord #desk] new thread:", th.Name)
	d.say("  as "+copyMsg.Username+":", copyMsg.Content)
	d.say("", fmt.Sprintf("(pings caused so far: %d)", len(d.dc.Pings())))
	const answer = "Settings → Saves → Export, then Import on the new PC. Your progress comes along."
	if _, err := d.dc.Send(thread, d.dcAlice, answer); err != nil {
		return err
	}
	d.say("[Discord desk thread] Alice:", answer)
	if err := waitFor(ctx, "the reply in the community thread", func() bool { return len(d.dc.BotMessages(first.ID)) >= 1 }); err != nil {
		return err
	}
	m := d.dc.BotMessages(first.ID)[0]
	d.say("[Discord thread] Erin sees:", fmt.Sprintf("%s  [avatar %s, via webhook]", m.Username, m.AvatarURL))
	d.say("", m.Content)
	return nil
}

// ideas proposes an idea on Telegram, has it voted for on Telegram and
// Discord, and moves it to planned from the Slack desk: every voter hears
// it in Alice's voice.
func (d *demo) ideas(ctx context.Context) error {
	d.scene("4. An idea: proposed, voted for on two platforms, planned, every voter told")
	const idea = "Dark mode — easier on the eyes at night"
	if _, err := d.tg.SendText(d.tgIdeas.ID, 0, d.carla, idea); err != nil {
		return err
	}
	d.say("[Telegram Acme ideas] Carla:", idea)
	var card telegramfake.Message
	if err := waitFor(ctx, "the idea's card", func() bool {
		ms := d.tg.BotMessages(d.tgIdeas.ID, 0)
		if len(ms) > 0 {
			card = ms[0]
		}
		return len(ms) > 0
	}); err != nil {
		return err
	}
	d.say("[Telegram Acme ideas] card:", card.Text+"   [👍 Vote (1)]")
	qid, err := d.tg.Press(d.tgIdeas.ID, card.ID, d.dave, "act:vote:1")
	if err != nil {
		return err
	}
	d.say("[Telegram] Dave presses:", "👍 Vote")
	if err := waitFor(ctx, "Dave's vote", func() bool { _, ok := d.tg.CallbackAnswer(qid); return ok }); err != nil {
		return err
	}
	ans, _ := d.tg.CallbackAnswer(qid)
	d.say("  Dave is told:", ans)
	dm := d.dc.DMChannel(d.erin)
	if _, err := d.dc.Send(dm.ID, d.erin, "/vote 1"); err != nil {
		return err
	}
	d.say("[Discord DM] Erin:", "/vote 1")
	if err := waitFor(ctx, "Erin's vote", func() bool { return len(d.dc.BotMessages(dm.ID)) > 0 }); err != nil {
		return err
	}
	d.say("[Discord DM] Erin is told:", d.dc.BotMessages(dm.ID)[0].Content)
	if err := waitFor(ctx, "the card with three votes", func() bool { return d.tgSays(d.tgIdeas.ID, "3 votes") }); err != nil {
		return err
	}
	d.say("[Telegram Acme ideas] card:", lastText(d.tg.BotMessages(d.tgIdeas.ID, 0)))

	root, _ := d.slackThread()
	const move = "!idea 1 planned We start in May."
	if _, err := d.sl.Post(d.slDesk.ID, d.alice, move, root); err != nil {
		return err
	}
	d.say("[Slack thread] Alice:", move)
	if err := waitFor(ctx, "the notices", func() bool {
		return d.tgSays(d.carla.ID, "Planned") && d.tgSays(d.dave.ID, "Planned") && len(d.dc.BotMessages(dm.ID)) >= 2
	}); err != nil {
		return err
	}
	d.say("[Telegram] Carla is told:", lastText(d.tg.BotMessages(d.carla.ID, 0)))
	d.say("[Telegram] Dave is told:", lastText(d.tg.BotMessages(d.dave.ID, 0)))
	n := d.dc.BotMessages(dm.ID)[len(d.dc.BotMessages(dm.ID))-1]
	for _, e := range n.Embeds {
		by := ""
		if e.Author != nil {
			by = e.Author.Name
		}
		d.say("[Discord DM] Erin is told:", fmt.Sprintf("%s  [embed by %s]", e.Description, by))
	}
	if err := waitFor(ctx, "the card showing Planned", func() bool { return d.tgSays(d.tgIdeas.ID, "Planned") }); err != nil {
		return err
	}
	d.say("[Telegram Acme ideas] card:", lastText(d.tg.BotMessages(d.tgIdeas.ID, 0)))
	return nil
}

// tgSays reports whether the bot's newest message in chat contains text.
func (d *demo) tgSays(chat int64, text string) bool {
	return strings.Contains(lastText(d.tg.BotMessages(chat, 0)), text)
}

func lastText(ms []telegramfake.Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1].Text
}

func (d *demo) failedDelivery(ctx context.Context) error {
	d.scene("5. A delivery that fails shows in the desk with the platform's reason")
	root, _ := d.slackThread()
	d.tg.Block(d.carla)
	const line = "Did the parcel arrive?"
	if _, err := d.sl.Post(d.slDesk.ID, d.alice, line, root); err != nil {
		return err
	}
	d.say("[Slack thread] Alice:", line+"   (Carla has blocked the bot meanwhile)")
	if err := waitFor(ctx, "the failure receipt", func() bool { return d.slackSays(root, "Not delivered") }); err != nil {
		return err
	}
	for _, m := range d.sl.BotMessages(d.slDesk.ID, root) {
		if strings.Contains(m.Text, "Not delivered") {
			d.say("[Slack thread] cornershop:", m.Text)
		}
	}
	return nil
}

func (d *demo) slackSays(root, text string) bool {
	for _, m := range d.sl.BotMessages(d.slDesk.ID, root) {
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
	chat := fs.Bool("chat", false, "slack: read lines from the terminal and post them as the customer (or, starting \"alice: \", as staff in the desk); print the bot's posts")
	if help, err := parseFlags(fs, args[1:]); help || err != nil {
		return err
	}
	var base string // the emulator's URL
	switch args[0] {
	case "discord":
		dc, err := discordfake.Start(*listen, discordfake.Options{})
		if err != nil {
			return err
		}
		defer dc.Close()
		customer, alice, bob, _, support, desk, forum := dc.SeedDemo()
		dm := dc.DMChannel(customer) // for the user-side API to list
		base = dc.URL()
		fmt.Fprintf(stdout, "Discord emulator on %s (point api_url here)\n  bot token %s, application %s\n  community #support %s with %s (%s), who has a DM %s; staff desk %s and forum %s with %s (%s), %s (%s)\n",
			dc.URL(), dc.Token(), dc.ApplicationID(), support.ID, customer.Global, customer.ID, dm.ID, desk.ID, forum.ID, alice.Global, alice.ID, bob.Global, bob.ID)
	case "slack":
		sl, err := slackfake.Start(*listen, slackfake.Options{})
		if err != nil {
			return err
		}
		defer sl.Close()
		desk, alice, bob, customer, shared := sl.SeedDemo()
		base = sl.URL()
		fmt.Fprintf(stdout, "Slack emulator on %s (Web API %s)\n  bot token %s, app token %s, signing secret %s\n  desk %s with %s (%s) and %s (%s); Slack Connect channel %s with %s (%s)\n",
			sl.URL(), sl.APIURL(), sl.BotToken(), sl.AppToken(), sl.SigningSecret(), desk.ID, alice.RealName, alice.ID, bob.RealName, bob.ID, shared.ID, customer.RealName, customer.ID)
		if *chat {
			c := slackChat{sl: sl, desk: desk, shared: shared, alice: alice, customer: customer}
			return c.run(ctx, os.Stdin, stdout) // the terminal is this mode's whole point
		}
	case "telegram":
		tg, err := telegramfake.Start(*listen, telegramfake.Options{})
		if err != nil {
			return err
		}
		defer tg.Close()
		cust, staff, desk := tg.SeedDemo()
		base = tg.URL()
		fmt.Fprintf(stdout, "Telegram Bot API emulator on %s\n  token %s\n  customer %d (%s), staff %d (%s), forum desk %d\n",
			tg.URL(), tg.Token(), cust.ID, cust.FirstName, staff.ID, staff.FirstName, desk.ID)
	default:
		return fmt.Errorf("%w: %w", errUsage, errEmulator)
	}
	fmt.Fprintf(stdout, "  act as its users: %s/emulator/ (docs/playground.md)\n", base)
	<-ctx.Done()
	return nil
}
