package main

import (
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram/telegramfake"
)

// world is the three platforms the replicas talk to, and a record of what
// the test made people write there, per conversation.
type world struct {
	t  *testing.T
	tg *telegramfake.Server
	sl *slackfake.Server
	dc *discordfake.Server

	tgCustomers []telegramfake.User
	dcCustomers []discordfake.User
	dcDMs       []discordfake.Channel
	slCustomers []slackfake.User
	slDMs       []slackfake.Channel
	dcAlice     discordfake.User
	slAlice     slackfake.User
	dcDesk      discordfake.Channel
	slDesk      slackfake.Channel

	mu      sync.Mutex
	convs   []string            // conversation keys ("platform:chat"), in a fixed order
	written map[string][]string // key -> customer texts, in order
	answers map[string][]string // key -> staff replies, in order
	owner   map[string]string   // token -> key
	seq     map[string]int
}

// newWorld starts the emulators with three customers on each platform, a
// Discord desk (for Telegram and Discord customers) and a Slack desk (for
// Slack customers), Alice answering on both.
func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, written: map[string][]string{}, answers: map[string][]string{}, owner: map[string]string{}, seq: map[string]int{}}
	w.tg, w.sl, w.dc = emulators(t)
	d := w.dc.SeedDemoWorld()
	w.dcAlice, w.dcDesk = d.Alice, d.Desk
	w.slAlice = w.sl.AddUser("alice", "Alice Martin", "https://example.com/alice.png", false)
	w.slDesk = w.sl.AddChannel("support-desk", false, w.slAlice)
	for i := range 3 {
		tu := w.tg.AddUser(fmt.Sprintf("Tina%d", i), "", "")
		w.tgCustomers = append(w.tgCustomers, tu)
		w.convs = append(w.convs, "telegram:"+strconv.FormatInt(tu.ID, 10))
		du := w.dc.AddUser(fmt.Sprintf("dora%d", i), fmt.Sprintf("Dora %d", i))
		dm := w.dc.DMChannel(du)
		w.dcCustomers, w.dcDMs = append(w.dcCustomers, du), append(w.dcDMs, dm)
		w.convs = append(w.convs, "discord:"+dm.ID)
		su := w.sl.AddUser(fmt.Sprintf("sam%d", i), fmt.Sprintf("Sam %d", i), "", false)
		sdm := w.sl.DM(su)
		w.slCustomers, w.slDMs = append(w.slCustomers, su), append(w.slDMs, sdm)
		w.convs = append(w.convs, "slack:"+sdm.ID)
	}
	return w
}

// yaml is the replicas' configuration, tokens aside (env).
func (w *world) yaml() string {
	return fmt.Sprintf(`database:
  driver: postgres
http:
  listen: "127.0.0.1:0"
log:
  format: json
outbox:
  base_backoff: 100ms
  max_backoff: 1s
  lease: 5s
staff:
  - {id: alice, name: Alice Martin, identities: {discord: "%s", slack: "%s"}}
desks:
  - {name: dc, platform: discord, channel: "%s", kind: thread}
  - {name: sl, platform: slack, channel: "%s", kind: thread}
routes:
  - {platform: telegram, desk: dc}
  - {platform: discord, desk: dc}
  - {platform: slack, desk: sl}
telegram:
  enabled: true
  api_url: %s
  poll_timeout: 1s
slack:
  enabled: true
  api_url: %s
  mode: socket
discord:
  enabled: true
  application_id: "%s"
  api_url: %s
`, w.dcAlice.ID, w.slAlice.ID, w.dcDesk.ID, w.slDesk.ID, w.tg.URL(), w.sl.APIURL(), w.dc.ApplicationID(), w.dc.URL())
}

// env carries the tokens.
func (w *world) env() []string {
	return []string{"CORNERSHOP_TELEGRAM_TOKEN=" + w.tg.Token(), "CORNERSHOP_DISCORD_TOKEN=" + w.dc.Token(),
		"CORNERSHOP_SLACK_BOT_TOKEN=" + w.sl.BotToken(), "CORNERSHOP_SLACK_APP_TOKEN=" + w.sl.AppToken()}
}

// token makes the next unique text for conversation i: "c07-0012" for a
// customer, "r07-0003" for a staff reply.
func (w *world) token(kind string, i int) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := fmt.Sprintf("%s%02d", kind, i)
	w.seq[k]++
	tok := fmt.Sprintf("%s-%04d", k, w.seq[k])
	w.owner[tok] = w.convs[i]
	return tok
}

// customerWrites makes the customer of conversation i write once.
func (w *world) customerWrites(i int) {
	tok := w.token("c", i)
	var err error
	switch j := i / 3; i % 3 {
	case 0:
		_, err = w.tg.SendText(w.tgCustomers[j].ID, 0, w.tgCustomers[j], "hello "+tok)
	case 1:
		_, err = w.dc.Send(w.dcDMs[j].ID, w.dcCustomers[j], "hello "+tok)
	case 2:
		_, err = w.sl.Post(w.slDMs[j].ID, w.slCustomers[j], "hello "+tok, "")
	}
	if err != nil {
		w.t.Errorf("customer %d writes: %v", i, err)
		return
	}
	w.mu.Lock()
	w.written[w.convs[i]] = append(w.written[w.convs[i]], tok)
	w.mu.Unlock()
}

// staffAnswers makes Alice answer conversation i in its desk thread, if it
// has one yet; db finds the thread.
func (w *world) staffAnswers(db *sql.DB, i int) {
	platform, chat, _ := strings.Cut(w.convs[i], ":")
	var thread string
	err := db.QueryRow(`SELECT desk_thread FROM conversations WHERE customer_platform = $1 AND customer_chat = $2 AND desk_thread <> ''
ORDER BY id DESC LIMIT 1`, platform, chat).Scan(&thread)
	if err != nil {
		return // no desk thread yet
	}
	tok := w.token("r", i)
	if platform == "slack" {
		_, err = w.sl.Post(w.slDesk.ID, w.slAlice, "answer "+tok, thread)
	} else {
		_, err = w.dc.Send(thread, w.dcAlice, "answer "+tok)
	}
	if err != nil {
		w.t.Errorf("staff answers %d: %v", i, err)
		return
	}
	w.mu.Lock()
	w.answers[w.convs[i]] = append(w.answers[w.convs[i]], tok)
	w.mu.Unlock()
}

var replicaTokenRE = regexp.MustCompile(`\b[cr]\d\d-\d{4}\b`)

// tokens appends the tokens in text to the sequence of their conversation.
func (w *world) tokens(into map[string][]string, text string) {
	for _, tok := range replicaTokenRE.FindAllString(text, -1) {
		if key, ok := w.owner[tok]; ok {
			into[key] = append(into[key], tok)
		}
	}
}

// delivered reads from the emulators what reached each side: the copies
// of customer messages in the desks and the replies at the customers, in
// the order each platform shows them, per conversation.
func (w *world) delivered() (copies, replies map[string][]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	copies, replies = map[string][]string{}, map[string][]string{}
	for _, th := range w.dc.Threads(w.dcDesk.ID) {
		for _, m := range w.dc.BotMessages(th.ID) {
			w.tokens(copies, m.Content)
		}
	}
	for _, m := range w.sl.BotMessages(w.slDesk.ID, "") {
		w.tokens(copies, m.Text)
	}
	for _, c := range w.tgCustomers {
		for _, m := range w.tg.BotMessages(c.ID, 0) {
			w.tokens(replies, m.Text)
		}
	}
	for _, dm := range w.dcDMs {
		for _, m := range w.dc.BotMessages(dm.ID) {
			text := m.Content
			for _, e := range m.Embeds {
				text += " " + e.Description
			}
			w.tokens(replies, text)
		}
	}
	for _, dm := range w.slDMs {
		for _, m := range w.sl.BotMessages(dm.ID, "") {
			w.tokens(replies, m.Text)
		}
	}
	return copies, replies
}

// recorded reads from the database each conversation's customer messages
// and staff replies, in the order they were recorded.
func (w *world) recorded(db *sql.DB) (inbound, replies map[string][]string) {
	w.t.Helper()
	inbound, replies = map[string][]string{}, map[string][]string{}
	rows, err := db.Query(`SELECT m.direction, m.text FROM messages m ORDER BY m.id`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	for rows.Next() {
		var dir, text string
		if err := rows.Scan(&dir, &text); err != nil {
			w.t.Fatal(err)
		}
		switch dir {
		case "inbound":
			w.tokens(inbound, text)
		case "reply":
			w.tokens(replies, text)
		}
	}
	return inbound, replies
}

// tally compares what arrived (got) with what was written (want), per
// conversation: missing, duplicated, and out-of-order tokens.
type tally struct{ want, got, missing, dups, disorder int }

func (w *world) tally(want, got map[string][]string) tally {
	w.mu.Lock()
	defer w.mu.Unlock()
	var t tally
	for _, key := range w.convs {
		seen := map[string]int{}
		var firsts []string
		for _, tok := range got[key] {
			if seen[tok]++; seen[tok] == 1 {
				firsts = append(firsts, tok)
			} else {
				t.dups++
			}
		}
		t.want += len(want[key])
		t.got += len(firsts)
		for _, tok := range want[key] {
			if seen[tok] == 0 {
				t.missing++
			}
		}
		// Order: the first copies, restricted to what was written, must
		// follow the order of writing.
		wanted := slices.DeleteFunc(slices.Clone(firsts), func(s string) bool { return !slices.Contains(want[key], s) })
		expect := slices.DeleteFunc(slices.Clone(want[key]), func(s string) bool { return seen[s] == 0 })
		for i := range wanted {
			if wanted[i] != expect[i] {
				t.disorder++
			}
		}
	}
	return t
}

func (t tally) String() string {
	return fmt.Sprintf("%d written, %d arrived, %d missing, %d duplicates, %d out of order", t.want, t.got, t.missing, t.dups, t.disorder)
}
