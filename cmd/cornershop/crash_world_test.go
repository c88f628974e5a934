package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram/telegramfake"
)

// crashWorld is the three emulators the crash test's binary talks to, and
// the conversations customers hold through them. Customers write on
// Telegram (private chats), Slack (DMs with the app) and Discord (DMs);
// every conversation goes to one Discord desk (a thread per conversation),
// where staff answer. Discord is the desk because it is the only one fast
// enough for thousands of messages in a minute: a Slack desk is one
// channel (≈ 1 message/s) and a Telegram forum desk one group (20/min).
type crashWorld struct {
	tg    *telegramfake.Server
	sl    *slackfake.Server
	dc    *discordfake.Server
	staff discordfake.User
	desk  discordfake.Channel
	// slDesk, when set before config, is a second desk (a Slack channel)
	// where the Slack customers' conversations go.
	slDesk slackfake.Channel
	convs  []*crashConv
}

// crashConv is one customer's conversation and what the test sent in it.
type crashConv struct {
	n        int
	platform string // telegram, slack or discord
	chat     string // the customer place's chat id, as the database has it
	tgUser   telegramfake.User
	slUser   slackfake.User
	dcUser   discordfake.User
	sent     int    // customer messages sent, numbered 0..sent-1
	replied  int    // staff replies sent, numbered 0..replied-1
	thread   string // the desk thread, once the test has seen it
}

// customerText and replyText are the texts the test sends: letters and
// digits only, so every platform's formatting leaves them as they are and
// tokenRE finds them in whatever the emulators received.
func crashText(conv, seq int) string  { return fmt.Sprintf("m%03dn%04d", conv, seq) }
func crashReply(conv, seq int) string { return fmt.Sprintf("r%03dn%04d", conv, seq) }

var tokenRE = regexp.MustCompile(`\b([mr])(\d{3})n(\d{4})\b`)

// token is one numbered message found in an emulator.
type token struct {
	kind      byte // 'm' customer message, 'r' staff reply
	conv, seq int
}

func tokens(text string) []token {
	var out []token
	for _, m := range tokenRE.FindAllStringSubmatch(text, -1) {
		c, _ := strconv.Atoi(m[2])
		s, _ := strconv.Atoi(m[3])
		out = append(out, token{kind: m[1][0], conv: c, seq: s})
	}
	return out
}

// newCrashWorld starts the emulators (rate limits off: the crash test is
// about kills, the faults test about limits) with convs conversations
// spread evenly over the three platforms.
func newCrashWorld(t *testing.T, convs int) *crashWorld {
	t.Helper()
	w := &crashWorld{}
	w.tg, w.sl, w.dc = emulators(t)
	w.staff = w.dc.AddUser("alice", "Alice Martin")
	staffGuild := w.dc.AddGuild("Acme Staff", w.staff)
	w.desk = w.dc.AddTextChannel(staffGuild.ID, "desk")
	var community []discordfake.User
	for i := range convs {
		c := &crashConv{n: i}
		switch i % 3 {
		case 0:
			c.platform, c.tgUser = "telegram", w.tg.AddUser(fmt.Sprintf("Tess%d", i), "", "")
			c.chat = strconv.FormatInt(c.tgUser.ID, 10)
		case 1:
			c.platform, c.slUser = "slack", w.sl.AddUser(fmt.Sprintf("sam%d", i), fmt.Sprintf("Sam %d", i), "", false)
			c.chat = w.sl.DM(c.slUser).ID
		case 2:
			c.platform, c.dcUser = "discord", w.dc.AddUser(fmt.Sprintf("dina%d", i), fmt.Sprintf("Dina %d", i))
			c.chat = w.dc.DMChannel(c.dcUser).ID
			community = append(community, c.dcUser)
		}
		w.convs = append(w.convs, c)
	}
	w.dc.AddGuild("Acme Community", community...)
	return w
}

// config writes the service's configuration for the world and returns its
// path; the tokens and the DSN come from the environment (see env).
func (w *crashWorld) config(t *testing.T, dir, driver string, workers int) string {
	t.Helper()
	slackDesk, slackPacing := "", ""
	if w.slDesk.ID != "" { // one channel takes every Slack conversation: unpaced, as the emulator enforces no limits
		slackDesk = fmt.Sprintf("  - name: slackdesk\n    platform: slack\n    channel: %q\nroutes:\n  - platform: slack\n    desk: slackdesk\n", w.slDesk.ID)
		slackPacing = "  pacing: off\n"
	}
	yaml := fmt.Sprintf(`database:
  driver: %s
http:
  listen: "127.0.0.1:0"
log:
  format: json
outbox:
  workers: %d
  base_backoff: 100ms
  max_backoff: 1s
staff:
  - id: alice
    name: Alice Martin
    identities: {discord: "%s"}
desks:
  - name: desk
    platform: discord
    channel: "%s"
%stelegram:
  enabled: true
  api_url: %s
  poll_timeout: 1s
slack:
  enabled: true
  api_url: %s
  mode: socket
%sdiscord:
  enabled: true
  application_id: "%s"
  api_url: %s
  pacing: off # the emulator enforces no limits: the test is about loss, not Discord's 50 requests/s
`, driver, workers, w.staff.ID, w.desk.ID, slackDesk, w.tg.URL(), w.sl.APIURL(), slackPacing, w.dc.ApplicationID(), w.dc.URL())
	path := filepath.Join(dir, "cornershop.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// env is the secrets the service reads from its environment.
func (w *crashWorld) env(dsn string) []string {
	return append(os.Environ(),
		"CORNERSHOP_TELEGRAM_TOKEN="+w.tg.Token(),
		"CORNERSHOP_SLACK_BOT_TOKEN="+w.sl.BotToken(),
		"CORNERSHOP_SLACK_APP_TOKEN="+w.sl.AppToken(),
		"CORNERSHOP_DISCORD_TOKEN="+w.dc.Token(),
		"CORNERSHOP_DATABASE_DSN="+dsn)
}

// write makes c's customer send their next message.
func (w *crashWorld) write(c *crashConv) error {
	text := crashText(c.n, c.sent)
	var err error
	switch c.platform {
	case "telegram":
		_, err = w.tg.SendText(c.tgUser.ID, 0, c.tgUser, text)
	case "slack":
		_, err = w.sl.Post(c.chat, c.slUser, text, "")
	case "discord":
		_, err = w.dc.Send(c.chat, c.dcUser, text)
	}
	if err == nil {
		c.sent++
	}
	return err
}

// answer makes staff send the next reply in c's desk thread.
func (w *crashWorld) answer(c *crashConv) error {
	if _, err := w.dc.Send(c.thread, w.staff, crashReply(c.n, c.replied)); err != nil {
		return err
	}
	c.replied++
	return nil
}

// seen is what the emulators show cornershop posted: for each numbered
// message, how many copies, and for each conversation the sequence
// numbers in the order they appeared, on the desk (customer messages) and
// at the customer (staff replies).
type seen struct {
	copies map[token]int
	desk   map[int][]int
	cust   map[int][]int
}

// observe reads what cornershop posted on every platform.
func (w *crashWorld) observe() seen {
	s := seen{copies: map[token]int{}, desk: map[int][]int{}, cust: map[int][]int{}}
	add := func(text string, want byte, into map[int][]int) {
		for _, tk := range tokens(text) {
			if tk.kind != want {
				continue
			}
			s.copies[tk]++
			into[tk.conv] = append(into[tk.conv], tk.seq)
		}
	}
	for _, th := range w.dc.Threads(w.desk.ID) {
		for _, m := range w.dc.BotMessages(th.ID) {
			add(m.Content, 'm', s.desk)
		}
	}
	for _, c := range w.convs {
		switch c.platform {
		case "telegram":
			for _, m := range w.tg.BotMessages(c.tgUser.ID, 0) {
				add(m.Text, 'r', s.cust)
			}
		case "slack":
			for _, m := range w.sl.BotMessages(c.chat, "") {
				add(m.Text, 'r', s.cust)
			}
		case "discord":
			for _, m := range w.dc.BotMessages(c.chat) {
				text := m.Content
				for _, e := range m.Embeds {
					text += " " + e.Description
				}
				add(text, 'r', s.cust)
			}
		}
	}
	return s
}

// serveLog creates the service's log file in dir, closed when t ends;
// when t has failed, the last n bytes of the service's warnings are
// logged first.
func serveLog(t *testing.T, dir string, n int) *os.File {
	t.Helper()
	logs, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(logs.Name()); err == nil {
				t.Logf("the service's warnings:\n%s", tail(warnings(string(b)), n))
			}
		}
		logs.Close()
	})
	return logs
}
