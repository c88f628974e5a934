package discordfake_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord/discordfake"
)

// recorder collects gateway events in arrival order (SyncEvents).
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *recorder) count(prefix string) int {
	n := 0
	for _, e := range r.list() {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

// open connects dg with intents and records messages, reactions, threads
// and connection events.
func open(t testing.TB, s *discordfake.Server, dg *discordgo.Session, intents discordgo.Intent) *recorder {
	t.Helper()
	r := &recorder{}
	dg.Identify.Intents = intents
	dg.SyncEvents = true
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		r.add("create:" + m.Content + ":" + m.WebhookID)
	})
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageUpdate) { r.add("update:" + m.Content) })
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageDelete) { r.add("delete:" + m.ID) })
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageReactionAdd) {
		r.add("react:" + m.Emoji.Name + ":" + m.UserID)
	})
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageReactionRemove) { r.add("unreact:" + m.Emoji.Name) })
	dg.AddHandler(func(_ *discordgo.Session, c *discordgo.ThreadCreate) { r.add("thread:" + c.Name) })
	dg.AddHandler(func(_ *discordgo.Session, c *discordgo.ThreadUpdate) { r.add("thread_update:" + c.Name) })
	dg.AddHandler(func(_ *discordgo.Session, c *discordgo.ChannelCreate) { r.add("channel:" + c.Name) })
	dg.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) { r.add("ready") })
	dg.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { r.add("resumed") })
	dg.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) { r.add("guild:" + g.Name) })
	if err := dg.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dg.Close() })
	wait(t, s, "the session", func() bool { return s.Sessions() == 1 && r.count("ready") == 1 })
	return r
}

const allIntents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages |
	discordgo.IntentsGuildMessageReactions | discordgo.IntentsDirectMessageReactions | discordgo.IntentMessageContent

func TestGatewayReadyAndDispatch(t *testing.T) {
	s, dg := start(t, discordfake.Options{HeartbeatInterval: 50 * time.Millisecond})
	d := s.SeedDemoWorld()
	r := open(t, s, dg, allIntents)
	wait(t, s, "both GUILD_CREATEs", func() bool { return r.count("guild:") == 2 })
	if dg.State.User.ID != s.Bot().ID || dg.State.SessionID == "" {
		t.Errorf("state = %+v", dg.State.Ready)
	}
	m, err := s.Send(d.Support.ID, d.Customer, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Edit(d.Support.ID, m.ID, "hello again"); err != nil {
		t.Fatal(err)
	}
	if err := s.React(d.Support.ID, m.ID, d.Customer, "👍"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unreact(d.Support.ID, m.ID, d.Customer, "👍"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(d.Support.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	th, err := dg.MessageThreadStartComplex(d.Desk.ID, mustSend(t, dg, d.Desk.ID, "card").ID, &discordgo.ThreadStart{Name: "Erin"})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := dg.WebhookCreate(d.Desk.ID, "cornershop", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dg.WebhookThreadExecute(wh.ID, wh.Token, true, th.ID, &discordgo.WebhookParams{Content: "voice", Username: "Alice", AllowedMentions: none}); err != nil {
		t.Fatal(err)
	}
	want := []string{"create:hello:", "update:hello again", "react:👍:" + d.Customer.ID, "unreact:👍", "delete:" + m.ID,
		"create:card:", "thread:Erin", "create:voice:" + wh.ID}
	wait(t, s, "every event", func() bool { return len(r.list()) >= 3+len(want) })
	if got := r.list()[3:]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events = %q\nwant     %q", got, want)
	}
	s.AddTextChannel(d.Staff.ID, "new-desk")
	wait(t, s, "CHANNEL_CREATE", func() bool { return r.count("channel:new-desk") == 1 })
	// Heartbeats are acknowledged.
	wait(t, s, "a heartbeat ACK", func() bool {
		dg.RLock()
		defer dg.RUnlock()
		return !dg.LastHeartbeatAck.IsZero() && dg.LastHeartbeatAck.After(dg.LastHeartbeatSent.Add(-time.Second))
	})
}

func mustSend(t testing.TB, dg *discordgo.Session, channelID, content string) *discordgo.Message {
	t.Helper()
	m, err := dg.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{Content: content, AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMessageContentIntent(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	r := open(t, s, dg, discordgo.IntentsGuildMessages|discordgo.IntentsDirectMessages)
	dm := s.DMChannel(d.Customer)
	for _, tc := range []struct{ channel, content string }{
		{d.Support.ID, "secret"},
		{d.Support.ID, "hey <@" + s.Bot().ID + ">"},
		{dm.ID, "in a DM"},
	} {
		if _, err := s.Send(tc.channel, d.Customer, tc.content); err != nil {
			t.Fatal(err)
		}
	}
	mustSend(t, dg, d.Support.ID, "the bot's own")
	want := []string{"create::", "create:hey <@" + s.Bot().ID + ">:", "create:in a DM:", "create:the bot's own:"}
	wait(t, s, "four messages", func() bool { return r.count("create:") == 4 })
	if got := r.list()[1:]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events = %q, want %q", got, want)
	}
	if r.count("react:") != 0 {
		t.Error("reactions without the intent")
	}
}

func TestGatewayResumeReconnectInvalidate(t *testing.T) {
	s, dg := start(t, discordfake.Options{HeartbeatInterval: time.Second})
	d := s.SeedDemoWorld()
	r := open(t, s, dg, allIntents)
	send := func(text string) {
		t.Helper()
		if _, err := s.Send(d.Support.ID, d.Customer, text); err != nil {
			t.Fatal(err)
		}
	}
	messages := func() string {
		var out []string
		for _, e := range r.list() {
			if strings.HasPrefix(e, "create:") {
				out = append(out, strings.Split(e, ":")[1])
			}
		}
		return strings.Join(out, ",")
	}
	send("one")
	wait(t, s, "one", func() bool { return r.count("create:") == 1 })

	t.Run("drop then resume replays missed events once", func(t *testing.T) {
		s.DropGateway()
		for _, text := range []string{"two", "three", "four"} {
			send(text)
		}
		wait(t, s, "the resume", func() bool { return r.count("resumed") == 1 && r.count("create:") >= 4 })
		if got := messages(); got != "one,two,three,four" {
			t.Errorf("messages = %s", got)
		}
		if s.Identifies() != 1 {
			t.Errorf("identifies = %d, want a RESUME, not a new session", s.Identifies())
		}
	})
	t.Run("op 7 reconnect resumes", func(t *testing.T) {
		s.Reconnect()
		send("five")
		wait(t, s, "the second resume", func() bool { return r.count("resumed") == 2 && r.count("create:") >= 5 })
		if got := messages(); got != "one,two,three,four,five" || s.Identifies() != 1 {
			t.Errorf("messages = %s, identifies %d", got, s.Identifies())
		}
	})
	t.Run("invalid session re-identifies", func(t *testing.T) {
		s.InvalidateSessions()
		wait(t, s, "a new session", func() bool { return s.Identifies() == 2 && s.Sessions() == 1 && r.count("ready") == 2 })
		send("six")
		wait(t, s, "six", func() bool { return r.count("create:") >= 6 })
		if got := messages(); got != "one,two,three,four,five,six" {
			t.Errorf("messages = %s", got)
		}
	})
	t.Run("unknown session on resume gets op 9", func(t *testing.T) {
		s.InvalidateSessions()
		wait(t, s, "a third session", func() bool { return s.Identifies() == 3 && s.Sessions() == 1 })
		// Drop, then forget sessions while disconnected: the RESUME
		// is refused with op 9 and discordgo identifies again.
		s.DropGateway()
		s.InvalidateSessions()
		wait(t, s, "a fourth session", func() bool { return s.Identifies() == 4 && s.Sessions() == 1 })
		send("seven")
		wait(t, s, "seven", func() bool { return r.count("create:") >= 7 })
	})
}
