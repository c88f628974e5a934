package relay_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// FuzzDeskCommands runs any text a staff member, a stranger or a customer
// may write through the command parser and the rest of the relay: nothing
// panics, nothing fails but for the store, and no one but staff changes
// the conversation.
func FuzzDeskCommands(f *testing.F) {
	for _, s := range []string{"!close", "!assign", "!assign me", "!tag a b c", "!untag", "!priority 9999999999999", "!snooze 1x",
		"!snooze 99999h", "!snippet add x", "!snippet add x {contact.name", "!link", "!block", "!unblock", "!help", "!", "!!", "// note",
		"//", "!team", "!reply", "!undo", "!retry", "!history -1", "!transcript", "!audit", "!stats", "!card", "!reopen", "!\x00", "!\xff",
		"!tag " + strings.Repeat("x", 5000)} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(f.TempDir(), "fuzz.db"), AutoMigrate: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	desk, cust := bottest.NewMemory(core.Slack, deskChannel.Chat), bottest.NewMemory(core.Telegram, "-")
	svc, err := relay.New(st, relay.Config{Team: core.Voice{Name: "Acme", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Staff: []core.Staff{alice, bob}, Desks: []relay.Desk{{Name: "main", Place: deskChannel}}, Snippets: map[string]string{"hi": "Hi {contact.name}"}},
		[]core.Platform{desk, cust}, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	w := outbox.New(st, svc, outbox.Options{MaxAttempts: 2})
	if err := svc.Handle(ctx, core.MessageEvent{Place: customerDM, ID: "c0", Sender: core.Sender{UserID: "u1", Name: "Carla"}, Text: "hi", Direct: true}); err != nil {
		f.Fatal(err)
	}
	if _, err := w.RunOnce(ctx); err != nil {
		f.Fatal(err)
	}
	var conv core.Conversation
	if err := st.InTx(ctx, func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(core.Telegram, "u1")
		if err == nil {
			conv, err = tx.LatestConversation(c.ID, customerDM)
		}
		return err
	}); err != nil || conv.Desk.Thread == "" {
		f.Fatalf("no desk thread: %v", err)
	}
	n := 0
	f.Fuzz(func(t *testing.T, text string, who uint8) {
		n++
		id := "f" + strconv.Itoa(n)
		var e core.MessageEvent
		switch who % 3 {
		case 0: // staff (a moderator)
			e = core.MessageEvent{Place: conv.Desk, ID: id, Sender: core.Sender{UserID: "U-BOB", Name: "Bob"}, Text: text}
		case 1: // a stranger in the thread
			e = core.MessageEvent{Place: conv.Desk, ID: id, Sender: core.Sender{UserID: "U-MALLORY", Name: "Mallory"}, Text: text}
		default: // the customer
			e = core.MessageEvent{Place: customerDM, ID: id, Sender: core.Sender{UserID: "u1", Name: "Carla"}, Text: text, Direct: true}
		}
		var before core.Conversation
		_ = st.InTx(ctx, func(tx core.Tx) error { var err error; before, err = tx.ConversationByDesk(conv.Desk); return err })
		if err := svc.Handle(ctx, e); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatalf("%q: deliveries: %v", text, err)
		}
		if who%3 == 1 {
			var after core.Conversation
			_ = st.InTx(ctx, func(tx core.Tx) error { var err error; after, err = tx.ConversationByDesk(conv.Desk); return err })
			if after.Status != before.Status || after.Assignee != before.Assignee || strings.Join(after.Tags, ",") != strings.Join(before.Tags, ",") {
				t.Fatalf("a stranger's %q changed the conversation", text)
			}
		}
	})
}
