package discord_test

import (
	"database/sql"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // "sqlite", to break and mend the test's database

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/core/outbox"
)

// TestUnrecordedMessageIsReadBack: while the database refuses to record
// messages (their table renamed away behind the service's back, as a full
// disk would refuse them), a customer writes twice on Discord, which
// pushes each message once. Neither is dropped silently: each is logged
// with its channel and id, and once the database takes writes again the
// adapter reads the channel back from the oldest one — on the same
// session, with no restart and no further message — and records both,
// once each, in order.
func TestUnrecordedMessageIsReadBack(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the adapter's retries; skipped with -short")
	}
	w := newWorld(t)
	path := filepath.Join(t.TempDir(), "cornershop.db")
	var logs syncBuffer
	b, err := discord.New(discord.Options{Token: w.fake.Token(), ApplicationID: w.fake.ApplicationID(), APIURL: w.fake.URL(),
		DeskChannels: []string{w.desk.ID}, TeamName: "Acme Support", Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	o := outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 50 * time.Millisecond, MaxAttempts: 50}
	bottest.StartOn(t, path, relayConfig(w, w.desk.ID), o, b)
	w.connected(t)
	side, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { side.Close() })
	recorded := func() []string {
		var out []string
		rows, err := side.Query(`SELECT text FROM messages WHERE direction = 'inbound' ORDER BY id`)
		if err != nil {
			return nil // the table is away
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if rows.Scan(&s) == nil {
				out = append(out, s)
			}
		}
		return out
	}
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "first"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the first message recorded", func() bool { return len(recorded()) == 1 })

	if _, err := side.Exec(`ALTER TABLE messages RENAME TO messages_away`); err != nil {
		t.Fatal(err)
	}
	second, err := w.fake.Send(dm.ID, w.customer, "second")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.fake.Send(dm.ID, w.customer, "third"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the unrecorded message logged with its channel and id", func() bool {
		l := logs.String()
		return strings.Contains(l, "it will be read back") && strings.Contains(l, `"channel":"`+dm.ID+`"`) && strings.Contains(l, `"message":"`+second.ID+`"`)
	})
	if strings.Contains(logs.String(), "second") && !strings.Contains(logs.String(), second.ID) {
		t.Error("the log shows a message's text")
	}
	if _, err := side.Exec(`ALTER TABLE messages_away RENAME TO messages`); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "both messages read back and recorded", func() bool { return len(recorded()) == 3 })
	if got, want := recorded(), []string{"first", "second", "third"}; !slices.Equal(got, want) {
		t.Errorf("recorded %q, want %q once each, in order", got, want)
	}
	if n := w.fake.Sessions(); n != 1 {
		t.Errorf("%d gateway sessions, want the first one still", n)
	}
}
