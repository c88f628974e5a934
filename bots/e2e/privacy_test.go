package e2e_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// deskDump is everything a desk platform still shows about a
// conversation's thread, as JSON: every message not deleted (text, blocks,
// embeds, markup), the channel's top-level messages (Slack's and Discord's
// thread starters) and the thread's or topic's name. (The emulators keep
// a deleted message, marked, for tests to look at; nobody sees it.)
func deskDump(t *testing.T, w *world, d desk, th core.Place) string {
	t.Helper()
	var v []any
	switch d.(type) {
	case tgDesk:
		v = []any{shown(w.tg.Messages(w.tgDesk.ID, topic(th)), func(m telegramfake.Message) bool { return m.Deleted }), w.tg.Topics(w.tgDesk.ID)}
	case slDesk:
		gone := func(m slackfake.Message) bool { return m.Deleted }
		v = []any{shown(w.sl.Messages(w.slDesk.ID, th.Thread), gone), shown(w.sl.Messages(w.slDesk.ID, ""), gone)}
	case dcDesk:
		ch, _ := w.dc.Channel(th.Thread)
		gone := func(m discordfake.Message) bool { return m.Deleted }
		v = []any{shown(w.dc.Messages(th.Thread), gone), shown(w.dc.Messages(w.dcDesk.ID), gone), ch}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shown drops the deleted messages.
func shown[M any](ms []M, deleted func(M) bool) []M {
	var out []M
	for _, m := range ms {
		if !deleted(m) {
			out = append(out, m)
		}
	}
	return out
}

// whoIs lists what names a customer by: their display names, handle and
// (when long enough not to match any number by chance) platform id.
func whoIs(w *world, c customer) []string {
	switch c.(type) {
	case tgCustomer:
		return []string{w.tgCust.FirstName + " " + w.tgCust.LastName, "@" + w.tgCust.Username}
	case slCustomer:
		return []string{"Dana", w.slCust.ID}
	default:
		return []string{"Erin Player", w.dcCust.ID}
	}
}

// pair is a customer on one platform and the desk on another.
type pair struct {
	name string
	cust func(*world) customer
	desk func(*world) desk
}

// adminConfig is a relay with one desk on d, where alice is an admin.
func adminConfig(d desk) relay.Config {
	admin := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAdmin},
		Identities: map[core.PlatformName]string{d.platform(): d.staffID()}}
	return relay.Config{
		Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Staff: []core.Staff{admin}, Desks: []relay.Desk{{Name: "desk", Place: d.channel()}},
	}
}

// TestEraseOverTheWire: for a customer on each platform with the desk on
// another, an admin's confirmed !privacy erase deletes every desk copy of
// what they wrote (and the notes) in the emulator, and renders the card
// and the thread's name again without them; nothing of them is left in
// the store (every table, index and the database file); the audit shows
// the erase; and the same account writing again starts a new contact in a
// new thread.
func TestEraseOverTheWire(t *testing.T) {
	tests := []pair{
		{"telegram customer, slack desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return slDesk{w} }},
		{"discord customer, telegram desk", func(w *world) customer { return dcCustomer{w} }, func(w *world) desk { return tgDesk{w} }},
		{"slack customer, discord desk", func(w *world) customer { return slCustomer{w} }, func(w *world) desk { return dcDesk{w} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c, d := tc.cust(w), tc.desk(w)
			s := bottest.Start(t, adminConfig(d), w.platforms()...)

			said := []string{"my card number is vermilionfox", "deliver to quokkalane please"}
			for _, text := range said {
				c.writes(t, text)
			}
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				conv = got
				return ok && got.Desk.Thread != ""
			})
			th := conv.Desk
			bottest.Eventually(t, wait, "both messages in the desk", func() bool {
				return strings.Contains(d.says(t, th), "vermilionfox") && strings.Contains(d.says(t, th), "quokkalane")
			})
			d.staffWrites(t, th, "On its way!")
			bottest.Eventually(t, wait, "the reply", func() bool { return anyContains(c.sees(t), "On its way!") })
			needles := append([]string{"vermilionfox", "quokkalane"}, whoIs(w, c)...)
			before := deskDump(t, w, d, th)
			if !strings.Contains(before, whoIs(w, c)[0]) {
				t.Fatalf("the desk never showed %q, so its absence later proves nothing:\n%s", whoIs(w, c)[0], before)
			}

			d.staffWrites(t, th, "!privacy erase")
			bottest.Eventually(t, wait, "the confirmation request", func() bool {
				return strings.Contains(d.says(t, th), fmt.Sprintf("!privacy erase %d", conv.ContactID))
			})
			d.staffWrites(t, th, fmt.Sprintf("!privacy erase %d", conv.ContactID))
			var left, dump string
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("the desk still shows %q:\n%s", left, dump)
				}
			})
			bottest.Eventually(t, wait, "every desk copy erased", func() bool {
				dump = deskDump(t, w, d, th)
				for _, n := range needles {
					if strings.Contains(dump, n) {
						left = n
						return false
					}
				}
				left = "no tombstone or note"
				return strings.Contains(d.says(t, th), "erased contact")
			})
			var found []string
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("the store still holds them in %v", found)
				}
			})
			bottest.Eventually(t, wait, "nothing of them in the store", func() bool {
				var err error
				found, err = s.Store.Occurrences(context.Background(), needles)
				return err == nil && len(found) == 0
			})
			err := s.Store.InTx(context.Background(), func(tx core.Tx) error {
				es, err := tx.AuditEntries(conv.ContactID.String(), 20)
				if err != nil || len(es) == 0 || es[len(es)-1].Action != "privacy.erase" || es[len(es)-1].Actor != "staff:alice" {
					t.Errorf("audit = %+v, %v", es, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			c.writes(t, "hello again")
			bottest.Eventually(t, wait, "a new contact and thread", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				return ok && got.ContactID != conv.ContactID && got.Desk.Thread != "" && got.Desk.Thread != th.Thread
			})
		})
	}
}

// deskZip returns the bytes of the first .zip file the bot posted in the
// desk thread, if any.
func deskZip(w *world, d desk, th core.Place) ([]byte, bool) {
	switch d.(type) {
	case tgDesk:
		// Telegram keeps no file name: the archive is the document right
		// after the export note.
		ms := w.tg.BotMessages(w.tgDesk.ID, topic(th))
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i].DocumentID != "" && i > 0 && strings.HasPrefix(ms[i-1].Text, "📦") {
				return w.tg.FileData(ms[i].DocumentID)
			}
		}
	case slDesk:
		for _, m := range w.sl.BotMessages(w.slDesk.ID, th.Thread) {
			for _, id := range m.Files {
				if f, ok := w.sl.FileData(id); ok && strings.HasSuffix(f.Name, ".zip") {
					return f.Data, true
				}
			}
		}
	case dcDesk:
		for _, m := range w.dc.BotMessages(th.Thread) {
			for name, b := range m.Files {
				if strings.HasSuffix(name, ".zip") {
					return b, true
				}
			}
			for _, a := range m.Attachments {
				if strings.HasSuffix(a.Filename, ".zip") {
					return a.Data, true
				}
			}
		}
	}
	return nil, false
}

// TestExportOverTheWire: an admin's !privacy export posts a zip into the
// desk thread on each platform, whose person.json holds the contact, their
// accounts and every message they sent, and whose files/ holds the file
// they sent (byte for byte).
func TestExportOverTheWire(t *testing.T) {
	tests := []pair{
		{"telegram customer, slack desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return slDesk{w} }},
		{"telegram customer, telegram desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return tgDesk{w} }},
		{"telegram customer, discord desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return dcDesk{w} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c, d := tc.cust(w), tc.desk(w)
			s := bottest.Start(t, adminConfig(d), w.platforms()...)
			said := []string{"first words for the export", "second words for the export"}
			for _, text := range said {
				c.writes(t, text)
			}
			receipt := []byte("%PDF-1.4 the customer's receipt")
			if _, err := w.tg.SendDocument(w.tgCust.ID, 0, w.tgCust, "receipt.pdf", "application/pdf", receipt, ""); err != nil {
				t.Fatal(err)
			}
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread with everything", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				conv = got
				return ok && got.Desk.Thread != "" && strings.Contains(d.says(t, got.Desk), "second words")
			})
			bottest.Eventually(t, wait, "the file in the desk", func() bool {
				var n int
				_ = s.Store.InTx(context.Background(), func(tx core.Tx) error {
					ms, err := tx.Messages(conv.ID)
					for _, m := range ms {
						n += len(m.Attachments)
					}
					return err
				})
				return n == 1
			})
			d.staffWrites(t, conv.Desk, "!privacy export")
			var archive []byte
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("the desk thread:\n%s", deskDump(t, w, d, conv.Desk))
				}
			})
			bottest.Eventually(t, wait, "the export in the desk thread", func() bool {
				var ok bool
				archive, ok = deskZip(w, d, conv.Desk)
				return ok
			})
			files := unzip(t, archive)
			var x relay.Export
			if err := json.Unmarshal(files["person.json"], &x); err != nil {
				t.Fatalf("person.json: %v (archive holds %d files)", err, len(files))
			}
			if x.Contact.ID != conv.ContactID || len(x.Contact.Identities) != 1 || x.Contact.Identities[0].UserID != c.userID() {
				t.Errorf("exported contact = %+v", x.Contact)
			}
			var texts []string
			for _, cv := range x.Conversations {
				for _, m := range cv.Messages {
					if m.Direction == core.Inbound {
						texts = append(texts, m.Text)
					}
				}
			}
			for _, want := range said {
				if !slices.Contains(texts, want) {
					t.Errorf("the export lacks %q (has %q)", want, texts)
				}
			}
			if len(x.Files) != 1 || x.Files[0].Path == "" || !bytes.Equal(files[x.Files[0].Path], receipt) {
				t.Errorf("exported files = %+v; want the receipt, byte for byte", x.Files)
			}
		})
	}
}

// TestExpiredDiscordLinkStillDelivered: a Discord customer's file is
// copied into the file store when recorded, so when the desk (Telegram)
// holds the copy back until after Discord's CDN link has expired, the
// desk still gets the file byte for byte; a file sent after the link
// expired is recorded as missing with the reason, which the desk copy
// shows; and an erase deletes the kept file from the store.
func TestExpiredDiscordLinkStillDelivered(t *testing.T) {
	w := newWorld(t)
	c, d := dcCustomer{w}, tgDesk{w}
	files, err := store.NewDirFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := adminConfig(d)
	cfg.Files = files
	s := bottest.Start(t, cfg, w.platforms()...)

	c.writes(t, "hello")
	var conv core.Conversation
	bottest.Eventually(t, wait, "the desk thread", func() bool {
		got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
		conv = got
		return ok && got.Desk.Thread != ""
	})
	bottest.Eventually(t, wait, "hello in the desk", func() bool { return strings.Contains(d.says(t, conv.Desk), "hello") })
	w.tg.RateLimitNext("sendMessage", 1, 3) // the desk holds the copy back for 3 s
	receipt := []byte("%PDF-1.4 receipt number 4711, kept by cornershop")
	dm := w.dc.DMChannel(w.dcCust).ID
	if _, err := w.dc.SendMessage(dm, w.dcCust, discordfake.Post{Content: "my receipt", Attachments: []discordfake.Attachment{{Filename: "receipt.pdf", ContentType: "application/pdf", Data: receipt}}}); err != nil {
		t.Fatal(err)
	}
	atts := func() []core.Attachment {
		var out []core.Attachment
		_ = s.Store.InTx(context.Background(), func(tx core.Tx) error {
			ms, err := tx.Messages(conv.ID)
			for _, m := range ms {
				out = append(out, m.Attachments...)
			}
			return err
		})
		return out
	}
	bottest.Eventually(t, wait, "the file recorded and kept", func() bool { a := atts(); return len(a) == 1 && a[0].Stored != "" })
	w.dc.ExpireCDNLinks()
	for _, m := range w.tg.BotMessages(w.tgDesk.ID, topic(conv.Desk)) {
		if m.DocumentID != "" {
			t.Fatal("the desk had the file before the link expired: the test proves nothing")
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the desk topic:\n%s\nattachments: %+v", deskDump(t, w, d, conv.Desk), atts())
			_ = s.Store.InTx(context.Background(), func(tx core.Tx) error {
				ms, _ := tx.Messages(conv.ID)
				for _, m := range ms {
					ds, _ := tx.Deliveries(m.ID)
					t.Logf("message %d %q: %+v", m.ID, m.Text, ds)
				}
				return nil
			})
		}
	})
	bottest.Eventually(t, wait, "the file in the desk from the store", func() bool {
		for _, m := range w.tg.BotMessages(w.tgDesk.ID, topic(conv.Desk)) {
			if b, ok := w.tg.FileData(m.DocumentID); ok && bytes.Equal(b, receipt) {
				return true
			}
		}
		return false
	})

	if _, err := w.dc.SendMessage(dm, w.dcCust, discordfake.Post{Content: "and the invoice", Attachments: []discordfake.Attachment{{Filename: "invoice.pdf", Data: []byte("%PDF-1.4 invoice")}}}); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the missing file recorded with its reason and shown", func() bool {
		a := atts()
		return len(a) == 2 && a[1].Stored == "" && strings.Contains(a[1].Missing, "404") &&
			strings.Contains(d.says(t, conv.Desk), "invoice.pdf could not be fetched from discord")
	})

	d.staffWrites(t, conv.Desk, fmt.Sprintf("!privacy erase %d", conv.ContactID))
	bottest.Eventually(t, wait, "the kept file deleted from the store", func() bool {
		entries, err := os.ReadDir(files.Dir())
		return err == nil && len(entries) == 0
	})
}

// TestEraseFinishesAfterARestart: the erase is recorded with its desk
// deletions in one transaction; when the service stops while Slack holds
// the deletions back (429), a new process over the same database (new
// adapters, same emulators) finishes them, and nothing of the person is
// left in the store.
func TestEraseFinishesAfterARestart(t *testing.T) {
	w := newWorld(t)
	c, d := tgCustomer{w}, slDesk{w}
	db := filepath.Join(t.TempDir(), "cornershop.db")
	cfg := adminConfig(d)
	o := outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 50 * time.Millisecond, MaxAttempts: 5}
	first := bottest.StartOn(t, db, cfg, o, w.platforms()...)
	c.writes(t, "the secret word is marigoldotter")
	var conv core.Conversation
	bottest.Eventually(t, wait, "the copy in the desk", func() bool {
		got, ok := first.Conversation(t, c.platform(), c.userID(), c.place())
		conv = got
		return ok && strings.Contains(d.says(t, got.Desk), "marigoldotter")
	})
	w.sl.RateLimitNext("chat.delete", 1, 5)
	d.staffWrites(t, conv.Desk, fmt.Sprintf("!privacy erase %d", conv.ContactID))
	bottest.Eventually(t, wait, "the erase recorded", func() bool {
		var erased bool
		_ = first.Store.InTx(context.Background(), func(tx core.Tx) error {
			_, err := tx.ContactByIdentity(c.platform(), c.userID())
			erased = errors.Is(err, core.ErrNotFound)
			return nil
		})
		return erased
	})
	first.Stop()
	if !strings.Contains(d.says(t, conv.Desk), "marigoldotter") {
		t.Fatal("the copy was deleted before the stop: the restart proves nothing")
	}

	tgBot, err := telegram.New(telegram.Options{Token: w.tg.Token(), APIURL: w.tg.URL(), PollTimeout: time.Second,
		DeskChats: []string{strconv.FormatInt(w.tgDesk.ID, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	slBot, err := slack.New(slack.Options{BotToken: w.sl.BotToken(), AppToken: w.sl.AppToken(), APIURL: w.sl.APIURL(),
		DeskChannels: []string{w.slDesk.ID}, CustomerChannels: []string{w.slShared.ID}})
	if err != nil {
		t.Fatal(err)
	}
	second := bottest.StartOn(t, db, cfg, o, tgBot, slBot)
	bottest.Eventually(t, wait, "the copy deleted after the restart", func() bool {
		return !strings.Contains(deskDump(t, w, d, conv.Desk), "marigoldotter")
	})
	bottest.Eventually(t, wait, "nothing left in the store", func() bool {
		found, err := second.Store.Occurrences(context.Background(), []string{"marigoldotter"})
		return err == nil && len(found) == 0
	})
}

// unzip returns an archive's files by name; it fails t on a bad archive.
func unzip(t *testing.T, archive []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("the archive is no zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	return files
}
