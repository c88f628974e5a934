package e2e_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
)

// world is all three emulators with their adapters, seeded.
type world struct {
	tg                  *telegramfake.Server
	tgBot               *telegram.Bot
	tgCust              telegramfake.User
	tgStaff, tgStranger telegramfake.User
	tgDesk              telegramfake.Chat
	tgIdeas             telegramfake.Chat // an ideas board: a group where every post is an idea

	sl                          *slackfake.Server
	slBot                       *slack.Bot
	slDesk, slShared            slackfake.Channel
	slStaff, slStranger, slCust slackfake.User

	dc                          *discordfake.Server
	dcBot                       *discord.Bot
	dcCust, dcStaff, dcStranger discordfake.User
	dcDesk                      discordfake.Channel
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldAt(t, nil)
}

// newWorldAt is newWorld with the emulators on the clock now (nil: the
// wall clock), so the timestamps they give events agree with a test's
// fake clock.
func newWorldAt(t *testing.T, now func() time.Time) *world {
	t.Helper()
	w := &world{}
	var err error
	if w.tg, err = telegramfake.Start("127.0.0.1:0", telegramfake.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.tg.Close() })
	w.tgCust = w.tg.AddUser("Tess", "Customer", "tess")
	w.tgStaff = w.tg.AddUser("Alice", "Martin", "alice")
	w.tgStranger = w.tg.AddUser("Mallory", "", "mallory")
	w.tgDesk = w.tg.AddGroup("Desk", true, true, w.tgStaff, w.tgStranger)
	w.tgIdeas = w.tg.AddSupergroup("Ideas", true, w.tgCust, w.tgStranger)
	if w.tgBot, err = telegram.New(telegram.Options{Token: w.tg.Token(), APIURL: w.tg.URL(), PollTimeout: time.Second,
		DeskChats: []string{strconv.FormatInt(w.tgDesk.ID, 10)}, IdeaBoards: []string{strconv.FormatInt(w.tgIdeas.ID, 10)}}); err != nil {
		t.Fatal(err)
	}

	if w.sl, err = slackfake.Start("127.0.0.1:0", slackfake.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.sl.Close() })
	w.slDesk, w.slStaff, w.slStranger, w.slCust, w.slShared = w.sl.SeedDemo()
	if w.slBot, err = slack.New(slack.Options{BotToken: w.sl.BotToken(), AppToken: w.sl.AppToken(), APIURL: w.sl.APIURL(),
		DeskChannels: []string{w.slDesk.ID}, CustomerChannels: []string{w.slShared.ID}}); err != nil {
		t.Fatal(err)
	}

	if w.dc, err = discordfake.Start("127.0.0.1:0", discordfake.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.dc.Close() })
	w.dcCust, w.dcStaff, w.dcStranger, _, _, w.dcDesk, _ = w.dc.SeedDemo()
	if w.dcBot, err = discord.New(discord.Options{Token: w.dc.Token(), ApplicationID: w.dc.ApplicationID(), APIURL: w.dc.URL(),
		DeskChannels: []string{w.dcDesk.ID}, TeamName: "Acme Support"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) platforms() []core.Platform { return []core.Platform{w.tgBot, w.slBot, w.dcBot} }

// customer is a customer on one platform.
type customer interface {
	platform() core.PlatformName
	writes(t *testing.T, text string)
	userID() string
	place() core.Place
	// sees lists what the customer was sent: "speaker: text" where the
	// platform shows a speaker, else the text with its signature.
	sees(t *testing.T) []string
	// breakNext makes deliveries to the customer fail for good.
	breakNext()
}

// desk is a staff desk on one platform.
type desk interface {
	platform() core.PlatformName
	channel() core.Place
	staffID() string
	// staffWrites posts as the staff member in a conversation's thread.
	staffWrites(t *testing.T, thread core.Place, text string) string
	staffEdits(t *testing.T, thread core.Place, id, text string)
	strangerWrites(t *testing.T, thread core.Place, text string)
	says(t *testing.T, thread core.Place) string
}

// Telegram: a private chat, and a forum desk.
type tgCustomer struct{ w *world }

func (c tgCustomer) platform() core.PlatformName { return core.Telegram }
func (c tgCustomer) userID() string              { return strconv.FormatInt(c.w.tgCust.ID, 10) }
func (c tgCustomer) place() core.Place {
	return core.Place{Platform: core.Telegram, Chat: strconv.FormatInt(c.w.tgCust.ID, 10)}
}
func (c tgCustomer) writes(t *testing.T, text string) {
	if _, err := c.w.tg.SendText(c.w.tgCust.ID, 0, c.w.tgCust, text); err != nil {
		t.Fatal(err)
	}
}
func (c tgCustomer) sees(*testing.T) []string {
	var out []string
	for _, m := range c.w.tg.BotMessages(c.w.tgCust.ID, 0) {
		if !m.Deleted {
			out = append(out, m.Text)
		}
	}
	return out
}
func (c tgCustomer) breakNext() { c.w.tg.Block(c.w.tgCust) }

type tgDesk struct{ w *world }

func (d tgDesk) platform() core.PlatformName { return core.Telegram }
func (d tgDesk) channel() core.Place {
	return core.Place{Platform: core.Telegram, Chat: strconv.FormatInt(d.w.tgDesk.ID, 10)}
}
func (d tgDesk) staffID() string { return strconv.FormatInt(d.w.tgStaff.ID, 10) }
func topic(thread core.Place) int {
	n, _ := strconv.Atoi(thread.Thread)
	return n
}
func (d tgDesk) staffWrites(t *testing.T, thread core.Place, text string) string {
	m, err := d.w.tg.SendText(d.w.tgDesk.ID, topic(thread), d.w.tgStaff, text)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(m.ID)
}
func (d tgDesk) staffEdits(t *testing.T, _ core.Place, id, text string) {
	n, _ := strconv.Atoi(id)
	if err := d.w.tg.Edit(d.w.tgDesk.ID, n, text); err != nil {
		t.Fatal(err)
	}
}
func (d tgDesk) strangerWrites(t *testing.T, thread core.Place, text string) {
	if _, err := d.w.tg.SendText(d.w.tgDesk.ID, topic(thread), d.w.tgStranger, text); err != nil {
		t.Fatal(err)
	}
}
func (d tgDesk) says(_ *testing.T, thread core.Place) string {
	var b strings.Builder
	for _, m := range d.w.tg.BotMessages(d.w.tgDesk.ID, topic(thread)) {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

// Slack: a Slack Connect channel, and a desk channel.
type slCustomer struct{ w *world }

func (c slCustomer) platform() core.PlatformName { return core.Slack }
func (c slCustomer) userID() string              { return c.w.slCust.ID }
func (c slCustomer) place() core.Place {
	return core.Place{Platform: core.Slack, Chat: c.w.slShared.ID}
}
func (c slCustomer) writes(t *testing.T, text string) {
	if _, err := c.w.sl.Post(c.w.slShared.ID, c.w.slCust, text, ""); err != nil {
		t.Fatal(err)
	}
}
func (c slCustomer) sees(*testing.T) []string {
	var out []string
	for _, m := range c.w.sl.BotMessages(c.w.slShared.ID, "") {
		if !m.Deleted {
			out = append(out, m.Username+": "+m.Text)
		}
	}
	return out
}
func (c slCustomer) breakNext() { c.w.sl.FailNext("chat.postMessage", 1, 404) }

type slDesk struct{ w *world }

func (d slDesk) platform() core.PlatformName { return core.Slack }
func (d slDesk) channel() core.Place         { return core.Place{Platform: core.Slack, Chat: d.w.slDesk.ID} }
func (d slDesk) staffID() string             { return d.w.slStaff.ID }
func (d slDesk) staffWrites(t *testing.T, thread core.Place, text string) string {
	m, err := d.w.sl.Post(d.w.slDesk.ID, d.w.slStaff, text, thread.Thread)
	if err != nil {
		t.Fatal(err)
	}
	return m.TS
}
func (d slDesk) staffEdits(t *testing.T, _ core.Place, id, text string) {
	if err := d.w.sl.Edit(d.w.slDesk.ID, id, text); err != nil {
		t.Fatal(err)
	}
}
func (d slDesk) strangerWrites(t *testing.T, thread core.Place, text string) {
	if _, err := d.w.sl.Post(d.w.slDesk.ID, d.w.slStranger, text, thread.Thread); err != nil {
		t.Fatal(err)
	}
}
func (d slDesk) says(_ *testing.T, thread core.Place) string {
	var b strings.Builder
	for _, m := range d.w.sl.BotMessages(d.w.slDesk.ID, thread.Thread) {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

// Discord: a DM, and a desk channel with a thread per conversation.
type dcCustomer struct{ w *world }

func (c dcCustomer) platform() core.PlatformName { return core.Discord }
func (c dcCustomer) userID() string              { return c.w.dcCust.ID }
func (c dcCustomer) place() core.Place {
	return core.Place{Platform: core.Discord, Chat: c.w.dc.DMChannel(c.w.dcCust).ID}
}
func (c dcCustomer) writes(t *testing.T, text string) {
	bottest.Eventually(t, 15*time.Second, "the Discord gateway", func() bool { return c.w.dc.Sessions() == 1 })
	if _, err := c.w.dc.Send(c.w.dc.DMChannel(c.w.dcCust).ID, c.w.dcCust, text); err != nil {
		t.Fatal(err)
	}
}
func (c dcCustomer) sees(*testing.T) []string {
	var out []string
	for _, m := range c.w.dc.BotMessages(c.w.dc.DMChannel(c.w.dcCust).ID) {
		if m.Deleted {
			continue
		}
		if len(m.Embeds) > 0 && m.Embeds[0].Author != nil {
			out = append(out, m.Embeds[0].Author.Name+": "+m.Embeds[0].Description)
			continue
		}
		out = append(out, m.Content)
	}
	return out
}
func (c dcCustomer) breakNext() { c.w.dc.CloseDMs(c.w.dcCust) }

type dcDesk struct{ w *world }

func (d dcDesk) platform() core.PlatformName { return core.Discord }
func (d dcDesk) channel() core.Place         { return core.Place{Platform: core.Discord, Chat: d.w.dcDesk.ID} }
func (d dcDesk) staffID() string             { return d.w.dcStaff.ID }
func (d dcDesk) staffWrites(t *testing.T, thread core.Place, text string) string {
	m, err := d.w.dc.Send(thread.Thread, d.w.dcStaff, text)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}
func (d dcDesk) staffEdits(t *testing.T, thread core.Place, id, text string) {
	if err := d.w.dc.Edit(thread.Thread, id, text); err != nil {
		t.Fatal(err)
	}
}
func (d dcDesk) strangerWrites(t *testing.T, thread core.Place, text string) {
	if _, err := d.w.dc.Send(thread.Thread, d.w.dcStranger, text); err != nil {
		t.Fatal(err)
	}
}
func (d dcDesk) says(_ *testing.T, thread core.Place) string {
	var b strings.Builder
	for _, m := range d.w.dc.BotMessages(thread.Thread) {
		b.WriteString(m.Content + "\n")
	}
	return b.String()
}
