package e2e_test

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"cornershop/bots/discord"
	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// crowd is the three emulators, with their published rate limits
// enforced, and many customers: Telegram and Slack customers are answered
// from a Discord desk, Discord customers from a Slack desk.
type crowd struct {
	tg *telegramfake.Server
	sl *slackfake.Server
	dc *discordfake.Server

	tgBot *telegram.Bot
	slBot *slack.Bot
	dcBot *discord.Bot

	dcDesk, slDesk discordfake.Channel
	slDeskCh       slackfake.Channel
	dcStaff        discordfake.User
	slStaff        slackfake.User
	convs          []*talk
	deskFor        map[core.PlatformName]core.PlatformName
}

// talk is one customer's conversation and what the test sent in it.
type talk struct {
	n        int
	platform core.PlatformName
	chat     string
	tgUser   telegramfake.User
	slUser   slackfake.User
	dcUser   discordfake.User
	sent     int
	replied  int
}

// perPlatform is how many customers each platform gets: Discord's go to a
// Slack desk, which takes about one message a second.
var perPlatform = map[core.PlatformName]int{core.Telegram: 10, core.Slack: 10, core.Discord: 4}

func newCrowd(t *testing.T) *crowd {
	t.Helper()
	c := &crowd{deskFor: map[core.PlatformName]core.PlatformName{core.Telegram: core.Discord, core.Slack: core.Discord, core.Discord: core.Slack}}
	var err error
	if c.tg, err = telegramfake.Start("127.0.0.1:0", telegramfake.Options{RateLimits: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.tg.Close() })
	if c.sl, err = slackfake.Start("127.0.0.1:0", slackfake.Options{RateLimits: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.sl.Close() })
	if c.dc, err = discordfake.Start("127.0.0.1:0", discordfake.Options{RateLimits: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.dc.Close() })

	c.dcStaff = c.dc.AddUser("alice", "Alice Martin")
	c.dcDesk = c.dc.AddTextChannel(c.dc.AddGuild("Acme Staff", c.dcStaff).ID, "desk")
	c.slStaff = c.sl.AddUser("alice", "Alice Martin", "https://example.com/alice.png", false)
	c.slDeskCh = c.sl.AddChannel("support-desk", false, c.slStaff)
	var members []discordfake.User
	n := 0
	for _, p := range []core.PlatformName{core.Telegram, core.Slack, core.Discord} {
		for range perPlatform[p] {
			tk := &talk{n: n, platform: p}
			switch p {
			case core.Telegram:
				tk.tgUser = c.tg.AddUser(fmt.Sprintf("Tess%d", n), "", "")
				tk.chat = strconv.FormatInt(tk.tgUser.ID, 10)
			case core.Slack:
				tk.slUser = c.sl.AddUser(fmt.Sprintf("sam%d", n), fmt.Sprintf("Sam %d", n), "", false)
				tk.chat = c.sl.DM(tk.slUser).ID
			case core.Discord:
				tk.dcUser = c.dc.AddUser(fmt.Sprintf("dina%d", n), fmt.Sprintf("Dina %d", n))
				tk.chat = c.dc.DMChannel(tk.dcUser).ID
				members = append(members, tk.dcUser)
			}
			c.convs = append(c.convs, tk)
			n++
		}
	}
	c.dc.AddGuild("Acme Community", members...)

	if c.tgBot, err = telegram.New(telegram.Options{Token: c.tg.Token(), APIURL: c.tg.URL(), PollTimeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	if c.slBot, err = slack.New(slack.Options{BotToken: c.sl.BotToken(), AppToken: c.sl.AppToken(), APIURL: c.sl.APIURL(),
		DeskChannels: []string{c.slDeskCh.ID}}); err != nil {
		t.Fatal(err)
	}
	if c.dcBot, err = discord.New(discord.Options{Token: c.dc.Token(), ApplicationID: c.dc.ApplicationID(), APIURL: c.dc.URL(),
		DeskChannels: []string{c.dcDesk.ID}, TeamName: "Acme Support"}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *crowd) platforms() []core.Platform { return []core.Platform{c.tgBot, c.slBot, c.dcBot} }

// config is the relay's configuration: the two desks and their routes.
func (c *crowd) config() relay.Config {
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent},
		Identities: map[core.PlatformName]string{core.Discord: c.dcStaff.ID, core.Slack: c.slStaff.ID}}
	return relay.Config{
		Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Staff: []core.Staff{alice},
		Desks: []relay.Desk{
			{Name: "discord", Place: core.Place{Platform: core.Discord, Chat: c.dcDesk.ID}},
			{Name: "slack", Place: core.Place{Platform: core.Slack, Chat: c.slDeskCh.ID}},
		},
		Routes: []relay.Route{{Platform: core.Discord, Desk: "slack"}},
	}
}

func custText(conv, seq int) string  { return fmt.Sprintf("f%03dn%04d", conv, seq) }
func staffText(conv, seq int) string { return fmt.Sprintf("g%03dn%04d", conv, seq) }

var numbered = regexp.MustCompile(`\b([fg])(\d{3})n(\d{4})\b`)

// write makes tk's customer send their next message.
func (c *crowd) write(t *testing.T, tk *talk) {
	t.Helper()
	text := custText(tk.n, tk.sent)
	var err error
	switch tk.platform {
	case core.Telegram:
		_, err = c.tg.SendText(tk.tgUser.ID, 0, tk.tgUser, text)
	case core.Slack:
		_, err = c.sl.Post(tk.chat, tk.slUser, text, "")
	case core.Discord:
		_, err = c.dc.Send(tk.chat, tk.dcUser, text)
	}
	if err != nil {
		t.Fatal(err)
	}
	tk.sent++
}

// answer makes staff send the next reply in the desk thread th.
func (c *crowd) answer(t *testing.T, tk *talk, th core.Place) {
	t.Helper()
	text := staffText(tk.n, tk.replied)
	var err error
	if th.Platform == core.Slack {
		_, err = c.sl.Post(th.Chat, c.slStaff, text, th.Thread)
	} else {
		_, err = c.dc.Send(th.Thread, c.dcStaff, text)
	}
	if err != nil {
		t.Fatal(err)
	}
	tk.replied++
}

// arrived is what the emulators show cornershop posted: the sequence
// numbers of each conversation's messages in the order they appear, on
// the desk and at the customer.
type arrived struct {
	desk, cust map[int][]int
}

func (c *crowd) arrived() arrived {
	a := arrived{desk: map[int][]int{}, cust: map[int][]int{}}
	add := func(text string, kind string, into map[int][]int) {
		for _, m := range numbered.FindAllStringSubmatch(text, -1) {
			if m[1] != kind {
				continue
			}
			conv, _ := strconv.Atoi(m[2])
			seq, _ := strconv.Atoi(m[3])
			into[conv] = append(into[conv], seq)
		}
	}
	for _, th := range c.dc.Threads(c.dcDesk.ID) {
		for _, m := range c.dc.BotMessages(th.ID) {
			add(m.Content, "f", a.desk)
		}
	}
	for _, m := range c.sl.BotMessages(c.slDeskCh.ID, "") {
		add(m.Text, "f", a.desk)
	}
	for _, tk := range c.convs {
		switch tk.platform {
		case core.Telegram:
			for _, m := range c.tg.BotMessages(tk.tgUser.ID, 0) {
				add(m.Text, "g", a.cust)
			}
		case core.Slack:
			for _, m := range c.sl.BotMessages(tk.chat, "") {
				add(m.Text, "g", a.cust)
			}
		case core.Discord:
			for _, m := range c.dc.BotMessages(tk.chat) {
				text := m.Content
				for _, e := range m.Embeds {
					text += " " + e.Description
				}
				add(text, "g", a.cust)
			}
		}
	}
	return a
}
