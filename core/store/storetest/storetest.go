// Package storetest is the contract suite for core.Store: every
// implementation (the gorm store on SQLite and on PostgreSQL, and any fake a
// test uses in its place) runs Test and must pass it unchanged.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/core"
)

// T0 is the suite's reference time: UTC at microsecond precision, which
// every store must keep exactly.
var T0 = time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)

// Test runs the contract against stores made by open. Each call to open
// must return a new, empty, migrated store and arrange its cleanup with
// t.Cleanup. Subtests may run concurrently with nothing else.
func Test(t *testing.T, open func(t *testing.T) core.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s core.Store)
	}{
		{"Contacts", testContacts},
		{"DuplicateIdentity", testDuplicateIdentity},
		{"Conversations", testConversations},
		{"UpdateConversation", testUpdateConversation},
		{"Messages", testMessages},
		{"Refs", testRefs},
		{"Enqueue", testEnqueue},
		{"ClaimOrder", testClaimOrder},
		{"ClaimPerConversation", testClaimPerConversation},
		{"Lease", testLease},
		{"RetryAndFinish", testRetryAndFinish},
		{"NextDue", testNextDue},
		{"ConcurrentClaimers", testConcurrentClaimers},
		{"ConcurrentTx", testConcurrentTx},
		{"Rollback", testRollback},
		{"Audit", testAudit},
		{"Lists", testLists},
		{"MergeAndUnmerge", testMerge},
		{"LinkCodes", testLinkCodes},
		{"StaffPrefs", testStaffPrefs},
		{"ContactFields", testContactFields},
		{"Snippets", testSnippets},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// inTx runs fn in a transaction that must commit.
func inTx(tb testing.TB, s core.Store, fn func(tx core.Tx) error) {
	tb.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		tb.Fatalf("InTx: %v", err)
	}
}

// wantErr fails unless err matches want (nil for success).
func wantErr(tb testing.TB, what string, err, want error) {
	tb.Helper()
	switch {
	case want == nil && err != nil:
		tb.Fatalf("%s: unexpected error %v", what, err)
	case want != nil && !errors.Is(err, want):
		tb.Fatalf("%s: error %v, want %v", what, err, want)
	}
}

var seq atomic.Int64

// unique returns a string no other call in this process returns.
func unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

// world is one contact with one conversation at a customer place.
type world struct {
	contact core.Contact
	conv    core.Conversation
}

func seed(tb testing.TB, s core.Store) world {
	tb.Helper()
	var w world
	inTx(tb, s, func(tx core.Tx) error {
		w.contact, w.conv = seedTx(tb, tx)
		return nil
	})
	return w
}

func seedTx(tb testing.TB, tx core.Tx) (core.Contact, core.Conversation) {
	tb.Helper()
	c := core.Contact{Name: "Ada", Identities: []core.Identity{{Platform: core.Telegram, UserID: unique("u")}}, CreatedAt: T0}
	if err := tx.CreateContact(&c); err != nil {
		tb.Fatalf("CreateContact: %v", err)
	}
	conv := core.Conversation{
		ContactID: c.ID, Customer: core.Place{Platform: core.Telegram, Chat: unique("chat")},
		Desk: core.Place{Platform: core.Slack, Chat: "CDESK"}, Status: core.StatusOpen, CreatedAt: T0, UpdatedAt: T0,
	}
	if err := tx.CreateConversation(&conv); err != nil {
		tb.Fatalf("CreateConversation: %v", err)
	}
	return c, conv
}

func message(tb testing.TB, tx core.Tx, conv core.ConversationID, text string) core.Message {
	tb.Helper()
	m := core.Message{ConversationID: conv, Direction: core.Inbound, Author: "contact:1", Text: text, CreatedAt: T0}
	if err := tx.CreateMessage(&m); err != nil {
		tb.Fatalf("CreateMessage: %v", err)
	}
	return m
}

// enqueue queues a delivery for conv on side, due at due, and returns it.
func enqueue(tb testing.TB, s core.Store, conv core.ConversationID, side core.Side, due time.Time) core.Delivery {
	tb.Helper()
	d := core.Delivery{
		Key: unique("k"), ConversationID: conv, Op: core.OpUpdateCard, Side: side, Platform: core.Slack,
		State: core.DeliveryPending, NextAttemptAt: due, CreatedAt: T0,
	}
	inTx(tb, s, func(tx core.Tx) error { return tx.Enqueue(&d) })
	return d
}

func claim(tb testing.TB, s core.Store, owner string, now time.Time, limit int, lease time.Duration) []core.DeliveryID {
	tb.Helper()
	ds, err := s.Claim(context.Background(), owner, now, limit, lease)
	if err != nil {
		tb.Fatalf("Claim(%s, %s): %v", owner, now.Format(time.TimeOnly), err)
	}
	ids := make([]core.DeliveryID, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
		if d.State != core.DeliveryPending {
			tb.Errorf("claimed delivery %d is %s, want pending", d.ID, d.State)
		}
	}
	return ids
}

func wantClaim(tb testing.TB, s core.Store, now time.Time, want ...core.DeliveryID) {
	tb.Helper()
	got := claim(tb, s, "w", now, 100, time.Minute)
	if !slices.Equal(got, want) {
		tb.Fatalf("Claim at T0%+v = %v, want %v", now.Sub(T0), got, want)
	}
}

func finish(tb testing.TB, s core.Store, id core.DeliveryID, state core.DeliveryState) {
	tb.Helper()
	inTx(tb, s, func(tx core.Tx) error { return tx.FinishDelivery(id, state, "", T0) })
}

func testContacts(t *testing.T, s core.Store) {
	ids := []core.Identity{
		{Platform: core.Telegram, UserID: unique("tg"), Handle: "@ada", Name: "Ada L", AvatarURL: "https://a/1.png"},
		{Platform: core.Discord, UserID: unique("dc"), Name: "ada#1"},
	}
	c := core.Contact{Name: "Ada", Identities: ids, Tags: []string{"vip", "beta"}, CreatedAt: T0}
	inTx(t, s, func(tx core.Tx) error { return tx.CreateContact(&c) })
	if c.ID == 0 {
		t.Fatal("CreateContact left ID zero")
	}
	lookups := []struct {
		name     string
		platform core.PlatformName
		user     string
		want     error
	}{
		{"first identity", ids[0].Platform, ids[0].UserID, nil},
		{"second identity", ids[1].Platform, ids[1].UserID, nil},
		{"user id on another platform", core.Slack, ids[0].UserID, core.ErrNotFound},
		{"unknown user", core.Telegram, "nobody", core.ErrNotFound},
	}
	for _, tc := range lookups {
		t.Run(tc.name, func(t *testing.T) {
			inTx(t, s, func(tx core.Tx) error {
				got, err := tx.ContactByIdentity(tc.platform, tc.user)
				wantErr(t, "ContactByIdentity", err, tc.want)
				if tc.want == nil {
					wantContact(t, got, c)
				}
				return nil
			})
		})
	}
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.Contact(c.ID)
		wantErr(t, "Contact", err, nil)
		wantContact(t, got, c)
		_, err = tx.Contact(c.ID + 1000)
		wantErr(t, "Contact(unknown)", err, core.ErrNotFound)

		changed := ids[0]
		changed.Name, changed.Handle, changed.AvatarURL = "Ada Lovelace", "@lovelace", ""
		wantErr(t, "SaveIdentity", tx.SaveIdentity(c.ID, changed), nil)
		wantErr(t, "SaveIdentity(other contact)", tx.SaveIdentity(c.ID+1000, changed), core.ErrNotFound)
		wantErr(t, "SetContactBlocked", tx.SetContactBlocked(c.ID, true), nil)
		wantErr(t, "SetContactBlocked(unknown)", tx.SetContactBlocked(c.ID+1000, true), core.ErrNotFound)
		got, err = tx.ContactByIdentity(changed.Platform, changed.UserID)
		wantErr(t, "ContactByIdentity", err, nil)
		if !got.Blocked {
			t.Error("contact not blocked after SetContactBlocked(true)")
		}
		if got.Identities[0] != changed {
			t.Errorf("identity after SaveIdentity = %+v, want %+v", got.Identities[0], changed)
		}
		return nil
	})
}

func wantContact(tb testing.TB, got, want core.Contact) {
	tb.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Blocked != want.Blocked ||
		!slices.Equal(got.Tags, want.Tags) || !slices.Equal(got.Identities, want.Identities) || !got.CreatedAt.Equal(want.CreatedAt) {
		tb.Errorf("contact = %+v\nwant      %+v", got, want)
	}
}

func testDuplicateIdentity(t *testing.T, s core.Store) {
	taken := core.Identity{Platform: core.Slack, UserID: unique("U")}
	inTx(t, s, func(tx core.Tx) error {
		return tx.CreateContact(&core.Contact{Name: "first", Identities: []core.Identity{taken}})
	})
	fresh := core.Identity{Platform: core.Telegram, UserID: unique("u")}
	inTx(t, s, func(tx core.Tx) error {
		c := core.Contact{Name: "second", Identities: []core.Identity{fresh, taken}}
		wantErr(t, "CreateContact(taken identity)", tx.CreateContact(&c), core.ErrDuplicate)
		// The transaction is still usable and holds no part of the failed
		// contact.
		_, err := tx.ContactByIdentity(fresh.Platform, fresh.UserID)
		wantErr(t, "ContactByIdentity(identity of the failed contact)", err, core.ErrNotFound)
		other := core.Contact{Name: "third", Identities: []core.Identity{fresh}}
		wantErr(t, "CreateContact after a duplicate", tx.CreateContact(&other), nil)
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(fresh.Platform, fresh.UserID)
		wantErr(t, "ContactByIdentity", err, nil)
		if c.Name != "third" {
			t.Errorf("identity belongs to %q, want third", c.Name)
		}
		return nil
	})
}

func testConversations(t *testing.T, s core.Store) {
	w := seed(t, s)
	var second core.Conversation
	inTx(t, s, func(tx core.Tx) error {
		second = w.conv
		second.ID = 0
		second.Customer.Thread = "t-9"
		second.Tags = []string{"billing"}
		wantErr(t, "CreateConversation", tx.CreateConversation(&second), nil)
		return nil
	})
	if second.ID == 0 || second.ID == w.conv.ID {
		t.Fatalf("second conversation id %d (first %d)", second.ID, w.conv.ID)
	}
	cases := []struct {
		name    string
		contact core.ContactID
		place   core.Place
		want    core.ConversationID
		wantErr error
	}{
		{"newest at the place", w.contact.ID, w.conv.Customer, second.ID, nil},
		{"threads are ignored", w.contact.ID, core.Place{Platform: w.conv.Customer.Platform, Chat: w.conv.Customer.Chat, Thread: "other"}, second.ID, nil},
		{"another chat", w.contact.ID, core.Place{Platform: core.Telegram, Chat: "elsewhere"}, 0, core.ErrNotFound},
		{"another platform", w.contact.ID, core.Place{Platform: core.Discord, Chat: w.conv.Customer.Chat}, 0, core.ErrNotFound},
		{"another contact", w.contact.ID + 1000, w.conv.Customer, 0, core.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run("Latest/"+tc.name, func(t *testing.T) {
			inTx(t, s, func(tx core.Tx) error {
				got, err := tx.LatestConversation(tc.contact, tc.place)
				wantErr(t, "LatestConversation", err, tc.wantErr)
				if got.ID != tc.want {
					t.Errorf("LatestConversation = %d, want %d", got.ID, tc.want)
				}
				return nil
			})
		})
	}
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.Conversation(second.ID)
		wantErr(t, "Conversation", err, nil)
		wantConversation(t, got, second)
		_, err = tx.Conversation(second.ID + 1000)
		wantErr(t, "Conversation(unknown)", err, core.ErrNotFound)
		n, err := tx.CountConversations(w.contact.ID)
		wantErr(t, "CountConversations", err, nil)
		if n != 2 {
			t.Errorf("CountConversations = %d, want 2", n)
		}
		if n, _ := tx.CountConversations(w.contact.ID + 1000); n != 0 {
			t.Errorf("CountConversations(unknown) = %d, want 0", n)
		}
		return nil
	})

	// Desk threads.
	desk := core.Place{Platform: core.Slack, Chat: "CDESK", Thread: unique("17000.")}
	inTx(t, s, func(tx core.Tx) error {
		card := "card-1"
		return tx.UpdateConversation(w.conv.ID, core.ConversationPatch{Desk: &desk, DeskCard: &card}, T0)
	})
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.ConversationByDesk(desk)
		wantErr(t, "ConversationByDesk", err, nil)
		if got.ID != w.conv.ID || got.DeskCard != "card-1" {
			t.Errorf("ConversationByDesk = %d card %q, want %d card-1", got.ID, got.DeskCard, w.conv.ID)
		}
		for _, p := range []core.Place{desk.Channel(), {Platform: core.Slack, Chat: "CDESK", Thread: "nope"}, {Platform: core.Discord, Chat: "CDESK", Thread: desk.Thread}} {
			_, err := tx.ConversationByDesk(p)
			wantErr(t, "ConversationByDesk("+p.String()+")", err, core.ErrNotFound)
		}
		return nil
	})
	err := s.InTx(context.Background(), func(tx core.Tx) error {
		return tx.UpdateConversation(second.ID, core.ConversationPatch{Desk: &desk}, T0)
	})
	wantErr(t, "two conversations on one desk thread", err, core.ErrDuplicate)
}

func wantConversation(tb testing.TB, got, want core.Conversation) {
	tb.Helper()
	if got.ID != want.ID || got.ContactID != want.ContactID || got.Customer != want.Customer || got.Anchor != want.Anchor ||
		got.Desk != want.Desk || got.DeskCard != want.DeskCard || got.Status != want.Status || got.Assignee != want.Assignee ||
		!slices.Equal(got.Tags, want.Tags) || got.Priority != want.Priority || !got.ClosedAt.Equal(want.ClosedAt) ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		tb.Errorf("conversation = %+v\nwant           %+v", got, want)
	}
}

func testUpdateConversation(t *testing.T, s core.Store) {
	closed, waiting := core.StatusClosed, core.StatusWaiting
	agent := core.StaffID("sam")
	tags := []string{"a", "b"}
	prio := 3
	desk := core.Place{Platform: core.Discord, Chat: "D1", Thread: unique("T")}
	card := "C9"
	customer := core.Place{Platform: core.Telegram, Chat: "42", Thread: "7"}
	closedAt := T0.Add(time.Hour)
	var zero time.Time
	cases := []struct {
		name  string
		patch core.ConversationPatch
		apply func(c *core.Conversation)
	}{
		{"nothing", core.ConversationPatch{}, func(*core.Conversation) {}},
		{"status", core.ConversationPatch{Status: &waiting}, func(c *core.Conversation) { c.Status = waiting }},
		{"assignee", core.ConversationPatch{Assignee: &agent}, func(c *core.Conversation) { c.Assignee = agent }},
		{"tags", core.ConversationPatch{Tags: &tags}, func(c *core.Conversation) { c.Tags = tags }},
		{"priority", core.ConversationPatch{Priority: &prio}, func(c *core.Conversation) { c.Priority = prio }},
		{"desk and card", core.ConversationPatch{Desk: &desk, DeskCard: &card}, func(c *core.Conversation) { c.Desk, c.DeskCard = desk, card }},
		{"customer", core.ConversationPatch{Customer: &customer}, func(c *core.Conversation) { c.Customer = customer }},
		{"close", core.ConversationPatch{Status: &closed, ClosedAt: &closedAt}, func(c *core.Conversation) { c.Status, c.ClosedAt = closed, closedAt }},
		{"clear closed at", core.ConversationPatch{ClosedAt: &zero}, func(c *core.Conversation) { c.ClosedAt = time.Time{} }},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := seed(t, s)
			want := w.conv
			now := T0.Add(time.Duration(i+1) * time.Minute)
			tc.apply(&want)
			want.UpdatedAt = now
			inTx(t, s, func(tx core.Tx) error { return tx.UpdateConversation(w.conv.ID, tc.patch, now) })
			inTx(t, s, func(tx core.Tx) error {
				got, err := tx.Conversation(w.conv.ID)
				wantErr(t, "Conversation", err, nil)
				wantConversation(t, got, want)
				return nil
			})
		})
	}
	t.Run("unknown", func(t *testing.T) {
		err := s.InTx(context.Background(), func(tx core.Tx) error {
			return tx.UpdateConversation(999999, core.ConversationPatch{Status: &closed}, T0)
		})
		wantErr(t, "UpdateConversation(unknown)", err, core.ErrNotFound)
	})
}

func testMessages(t *testing.T, s core.Store) {
	w := seed(t, s)
	m := core.Message{
		ConversationID: w.conv.ID, Direction: core.Reply, Author: "staff:sam", AuthorName: "Sam", Text: "hello ✓",
		Attachments: []core.Attachment{{Kind: core.KindImage, Name: "a.png", ContentType: "image/png", Size: 42, Platform: core.Slack, Ref: "F1"}},
		AsTeam:      true, CreatedAt: T0,
	}
	inTx(t, s, func(tx core.Tx) error { return tx.CreateMessage(&m) })
	if m.ID == 0 {
		t.Fatal("CreateMessage left ID zero")
	}
	text, edited, deleted := "hello again", T0.Add(time.Second), T0.Add(2*time.Second)
	steps := []struct {
		name  string
		patch core.MessagePatch
		apply func(m *core.Message)
	}{
		{"as created", core.MessagePatch{}, func(*core.Message) {}},
		{"edit", core.MessagePatch{Text: &text, EditedAt: &edited}, func(m *core.Message) { m.Text, m.EditedAt = text, edited }},
		{"delete", core.MessagePatch{DeletedAt: &deleted}, func(m *core.Message) { m.DeletedAt = deleted }},
	}
	want := m
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.apply(&want)
			inTx(t, s, func(tx core.Tx) error {
				wantErr(t, "UpdateMessage", tx.UpdateMessage(m.ID, st.patch), nil)
				got, err := tx.Message(m.ID)
				wantErr(t, "Message", err, nil)
				if got.ID != want.ID || got.ConversationID != want.ConversationID || got.Direction != want.Direction ||
					got.Author != want.Author || got.AuthorName != want.AuthorName || got.Text != want.Text ||
					!slices.Equal(got.Attachments, want.Attachments) || got.AsTeam != want.AsTeam ||
					!got.CreatedAt.Equal(want.CreatedAt) || !got.EditedAt.Equal(want.EditedAt) || !got.DeletedAt.Equal(want.DeletedAt) {
					t.Errorf("message = %+v\nwant      %+v", got, want)
				}
				return nil
			})
		})
	}
	inTx(t, s, func(tx core.Tx) error {
		_, err := tx.Message(m.ID + 1000)
		wantErr(t, "Message(unknown)", err, core.ErrNotFound)
		wantErr(t, "UpdateMessage(unknown)", tx.UpdateMessage(m.ID+1000, core.MessagePatch{Text: &text}), core.ErrNotFound)
		return nil
	})
}

func testRefs(t *testing.T, s core.Store) {
	w := seed(t, s)
	chat := unique("C")
	var m core.Message
	inTx(t, s, func(tx core.Tx) error {
		m = message(t, tx, w.conv.ID, "hi")
		for _, r := range []core.Ref{
			{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: core.Telegram, Chat: chat, PlatformID: "100"},
			{MessageID: m.ID, Side: core.DeskSide, Platform: core.Slack, Chat: chat, PlatformID: "2.2", Part: 1},
			{MessageID: m.ID, Side: core.DeskSide, Platform: core.Slack, Chat: chat, PlatformID: "1.1", Part: 0},
		} {
			wantErr(t, "AddRef", tx.AddRef(r), nil)
		}
		return nil
	})
	cases := []struct {
		name string
		ref  core.Ref
		want error
	}{
		{"same platform id in the same chat", core.Ref{MessageID: m.ID, Side: core.CustomerSide, Platform: core.Telegram, Chat: chat, PlatformID: "100"}, core.ErrDuplicate},
		{"same platform id in another chat", core.Ref{MessageID: m.ID, Side: core.CustomerSide, Platform: core.Telegram, Chat: chat + "x", PlatformID: "100"}, nil},
		{"same platform id on another platform", core.Ref{MessageID: m.ID, Side: core.CustomerSide, Platform: core.Discord, Chat: chat, PlatformID: "100"}, nil},
	}
	for _, tc := range cases {
		t.Run("AddRef/"+tc.name, func(t *testing.T) {
			inTx(t, s, func(tx core.Tx) error {
				wantErr(t, "AddRef", tx.AddRef(tc.ref), tc.want)
				// A duplicate does not spoil the transaction.
				_, err := tx.RefByPlatformID(core.Telegram, chat, "100")
				wantErr(t, "RefByPlatformID after AddRef", err, nil)
				return nil
			})
		})
	}
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.RefByPlatformID(core.Slack, chat, "2.2")
		wantErr(t, "RefByPlatformID", err, nil)
		if want := (core.Ref{MessageID: m.ID, Side: core.DeskSide, Platform: core.Slack, Chat: chat, PlatformID: "2.2", Part: 1}); got != want {
			t.Errorf("RefByPlatformID = %+v, want %+v", got, want)
		}
		_, err = tx.RefByPlatformID(core.Slack, chat, "3.3")
		wantErr(t, "RefByPlatformID(unknown)", err, core.ErrNotFound)
		desk, err := tx.Refs(m.ID, core.DeskSide)
		wantErr(t, "Refs", err, nil)
		if len(desk) != 2 || desk[0].PlatformID != "1.1" || desk[1].PlatformID != "2.2" {
			t.Errorf("desk refs = %+v, want parts 0 (1.1) and 1 (2.2)", desk)
		}
		cust, _ := tx.Refs(m.ID, core.CustomerSide)
		if len(cust) != 3 || !cust[0].Source {
			t.Errorf("customer refs = %+v, want 3 starting with the source", cust)
		}
		none, err := tx.Refs(m.ID+1000, core.DeskSide)
		wantErr(t, "Refs(unknown)", err, nil)
		if len(none) != 0 {
			t.Errorf("Refs(unknown) = %v, want none", none)
		}
		return nil
	})
}

func testEnqueue(t *testing.T, s core.Store) {
	w := seed(t, s)
	var m core.Message
	inTx(t, s, func(tx core.Tx) error { m = message(t, tx, w.conv.ID, "x"); return nil })
	d := core.Delivery{
		Key: unique("send:"), ConversationID: w.conv.ID, MessageID: m.ID, Emoji: "👍", Op: core.OpReact,
		Side: core.CustomerSide, Platform: core.Telegram, State: core.DeliveryPending, Attempts: 0,
		NextAttemptAt: T0.Add(time.Second), CreatedAt: T0,
	}
	inTx(t, s, func(tx core.Tx) error { return tx.Enqueue(&d) })
	if d.ID == 0 {
		t.Fatal("Enqueue left ID zero")
	}
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.Delivery(d.ID)
		wantErr(t, "Delivery", err, nil)
		if got.ID != d.ID || got.Key != d.Key || got.ConversationID != d.ConversationID || got.MessageID != d.MessageID ||
			got.Emoji != d.Emoji || got.Op != d.Op || got.Side != d.Side || got.Platform != d.Platform || got.State != core.DeliveryPending ||
			got.Attempts != 0 || !got.NextAttemptAt.Equal(d.NextAttemptAt) || !got.CreatedAt.Equal(d.CreatedAt) || !got.DoneAt.IsZero() {
			t.Errorf("delivery = %+v\nwant       %+v", got, d)
		}
		dup := d
		dup.ID = 0
		wantErr(t, "Enqueue(same key)", tx.Enqueue(&dup), core.ErrDuplicate)
		// The transaction is still usable after the duplicate.
		other := d
		other.ID, other.Key, other.MessageID, other.Op = 0, unique("open:"), 0, core.OpOpenThread
		wantErr(t, "Enqueue after a duplicate", tx.Enqueue(&other), nil)
		got, err = tx.Delivery(other.ID)
		wantErr(t, "Delivery", err, nil)
		if got.MessageID != 0 {
			t.Errorf("MessageID = %d, want 0", got.MessageID)
		}
		_, err = tx.Delivery(other.ID + 1000)
		wantErr(t, "Delivery(unknown)", err, core.ErrNotFound)
		return nil
	})
}

func testClaimOrder(t *testing.T, s core.Store) {
	a, b, c := seed(t, s), seed(t, s), seed(t, s)
	late := enqueue(t, s, a.conv.ID, core.DeskSide, T0.Add(3*time.Second))
	early := enqueue(t, s, b.conv.ID, core.DeskSide, T0.Add(time.Second))
	mid := enqueue(t, s, c.conv.ID, core.DeskSide, T0.Add(2*time.Second))
	midToo := enqueue(t, s, a.conv.ID, core.CustomerSide, T0.Add(2*time.Second))

	wantClaim(t, s, T0) // nothing due yet
	got := claim(t, s, "w", T0.Add(2*time.Second), 2, time.Minute)
	if want := []core.DeliveryID{early.ID, mid.ID}; !slices.Equal(got, want) {
		t.Fatalf("Claim(limit 2) = %v, want %v (longest due first, then id)", got, want)
	}
	wantClaim(t, s, T0.Add(10*time.Second), midToo.ID, late.ID)
	if got := claim(t, s, "w", T0.Add(time.Hour), 0, time.Minute); len(got) != 0 {
		t.Errorf("Claim(limit 0) = %v, want none", got)
	}
}

func testClaimPerConversation(t *testing.T, s core.Store) {
	w := seed(t, s)
	first := enqueue(t, s, w.conv.ID, core.DeskSide, T0.Add(5*time.Second)) // not due yet
	second := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
	third := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
	other := enqueue(t, s, w.conv.ID, core.CustomerSide, T0)

	steps := []struct {
		name   string
		now    time.Duration
		want   []core.DeliveryID
		finish core.DeliveryID
	}{
		{"a later sibling waits for an earlier one that is not due", time.Second, []core.DeliveryID{other.ID}, other.ID},
		{"one per conversation and side at once", 6 * time.Second, []core.DeliveryID{first.ID}, 0},
		{"a leased earlier sibling still blocks", 7 * time.Second, nil, first.ID},
		{"finishing the head releases the next", 8 * time.Second, []core.DeliveryID{second.ID}, second.ID},
		{"and the next", 9 * time.Second, []core.DeliveryID{third.ID}, third.ID},
		{"drained", 10 * time.Second, nil, 0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			wantClaim(t, s, T0.Add(st.now), st.want...)
			if st.finish != 0 {
				finish(t, s, st.finish, core.DeliveryDone)
			}
		})
	}
	t.Run("a failed head releases the next too", func(t *testing.T) {
		x := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
		y := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
		wantClaim(t, s, T0.Add(time.Hour), x.ID)
		finish(t, s, x.ID, core.DeliveryFailed)
		wantClaim(t, s, T0.Add(time.Hour), y.ID)
	})
}

func testLease(t *testing.T, s core.Store) {
	w := seed(t, s)
	d := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
	if got := claim(t, s, "a", T0, 10, time.Minute); !slices.Equal(got, []core.DeliveryID{d.ID}) {
		t.Fatalf("first claim = %v, want [%d]", got, d.ID)
	}
	if got := claim(t, s, "b", T0.Add(59*time.Second), 10, time.Minute); len(got) != 0 {
		t.Fatalf("claim during the lease = %v, want none", got)
	}
	if got := claim(t, s, "b", T0.Add(time.Minute), 10, time.Minute); !slices.Equal(got, []core.DeliveryID{d.ID}) {
		t.Fatalf("claim once the lease expired = %v, want [%d]", got, d.ID)
	}
	// RetryDelivery releases the lease: due again at once.
	inTx(t, s, func(tx core.Tx) error { return tx.RetryDelivery(d.ID, 0, T0.Add(time.Minute), "rate limited") })
	if got := claim(t, s, "c", T0.Add(time.Minute), 10, time.Hour); !slices.Equal(got, []core.DeliveryID{d.ID}) {
		t.Fatalf("claim after RetryDelivery = %v, want [%d]", got, d.ID)
	}
}

func testRetryAndFinish(t *testing.T, s core.Store) {
	w := seed(t, s)
	d := enqueue(t, s, w.conv.ID, core.CustomerSide, T0)
	wantClaim(t, s, T0, d.ID)
	inTx(t, s, func(tx core.Tx) error { return tx.RetryDelivery(d.ID, 1, T0.Add(2*time.Minute), "timeout") })
	wantClaim(t, s, T0.Add(2*time.Minute-time.Microsecond))
	ds, err := s.Claim(context.Background(), "w", T0.Add(2*time.Minute), 10, time.Minute)
	wantErr(t, "Claim", err, nil)
	if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].LastError != "timeout" || !ds[0].NextAttemptAt.Equal(T0.Add(2*time.Minute)) {
		t.Fatalf("claim after retry = %+v, want attempt 1, error timeout", ds)
	}
	done := T0.Add(3 * time.Minute)
	inTx(t, s, func(tx core.Tx) error { return tx.FinishDelivery(d.ID, core.DeliveryFailed, "blocked by user", done) })
	wantClaim(t, s, T0.Add(time.Hour))
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.Delivery(d.ID)
		wantErr(t, "Delivery", err, nil)
		if got.State != core.DeliveryFailed || got.LastError != "blocked by user" || !got.DoneAt.Equal(done) || got.Attempts != 1 {
			t.Errorf("finished delivery = %+v", got)
		}
		return nil
	})
	bad := []struct {
		name string
		fn   func(tx core.Tx) error
		want error
	}{
		{"finish unknown", func(tx core.Tx) error { return tx.FinishDelivery(d.ID+1000, core.DeliveryDone, "", T0) }, core.ErrNotFound},
		{"retry unknown", func(tx core.Tx) error { return tx.RetryDelivery(d.ID+1000, 1, T0, "") }, core.ErrNotFound},
		{"finish as pending", func(tx core.Tx) error { return tx.FinishDelivery(d.ID, core.DeliveryPending, "", T0) }, core.ErrInvalid},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, s.InTx(context.Background(), tc.fn), tc.want)
		})
	}
}

func testNextDue(t *testing.T, s core.Store) {
	ctx := context.Background()
	_, err := s.NextDue(ctx)
	wantErr(t, "NextDue(empty)", err, core.ErrNotFound)
	a, b := seed(t, s), seed(t, s)
	d1 := enqueue(t, s, a.conv.ID, core.DeskSide, T0.Add(10*time.Second))
	enqueue(t, s, a.conv.ID, core.DeskSide, T0) // behind d1: not counted
	d3 := enqueue(t, s, b.conv.ID, core.DeskSide, T0.Add(20*time.Second))
	wantNext := func(want time.Time) {
		t.Helper()
		got, err := s.NextDue(ctx)
		wantErr(t, "NextDue", err, nil)
		if !got.Equal(want) {
			t.Fatalf("NextDue = T0%+v, want T0%+v", got.Sub(T0), want.Sub(T0))
		}
	}
	wantNext(T0.Add(10 * time.Second))
	// A leased delivery is due when its lease ends.
	wantClaim(t, s, T0.Add(10*time.Second), d1.ID) // lease 1m
	wantNext(T0.Add(20 * time.Second))
	finish(t, s, d3.ID, core.DeliveryDone)
	wantNext(T0.Add(70 * time.Second))
}

func testConcurrentClaimers(t *testing.T, s core.Store) {
	const convs, per, claimers = 30, 4, 4
	var all []core.DeliveryID
	for range convs {
		w := seed(t, s)
		for range per {
			all = append(all, enqueue(t, s, w.conv.ID, core.DeskSide, T0).ID)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		mu     sync.Mutex
		seen   = map[core.DeliveryID]string{}
		byConv = map[core.ConversationID][]core.DeliveryID{}
		done   atomic.Int64
		wg     sync.WaitGroup
	)
	for i := range claimers {
		owner := fmt.Sprintf("claimer-%d", i)
		wg.Go(func() {
			for done.Load() < int64(len(all)) && ctx.Err() == nil {
				ds, err := s.Claim(ctx, owner, T0, 3, time.Hour)
				if err != nil {
					t.Errorf("%s: Claim: %v", owner, err)
					return
				}
				for _, d := range ds {
					mu.Lock()
					if prev, ok := seen[d.ID]; ok {
						t.Errorf("delivery %d claimed by %s and %s", d.ID, prev, owner)
					}
					seen[d.ID] = owner
					byConv[d.ConversationID] = append(byConv[d.ConversationID], d.ID)
					mu.Unlock()
					if err := s.InTx(ctx, func(tx core.Tx) error { return tx.FinishDelivery(d.ID, core.DeliveryDone, "", T0) }); err != nil {
						t.Errorf("%s: FinishDelivery: %v", owner, err)
						return
					}
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("claimers did not drain the outbox: %d of %d delivered", done.Load(), len(all))
	}
	if len(seen) != len(all) {
		t.Errorf("claimed %d deliveries, want %d", len(seen), len(all))
	}
	for conv, ids := range byConv {
		if !slices.IsSorted(ids) {
			t.Errorf("conversation %d delivered out of order: %v", conv, ids)
		}
	}
}

func testConcurrentTx(t *testing.T, s core.Store) {
	const workers, each = 8, 10
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				err := s.InTx(context.Background(), func(tx core.Tx) error { return writeOne(tx) })
				if err != nil {
					t.Errorf("concurrent InTx: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	got := claim(t, s, "w", T0, workers*each+10, time.Minute)
	if len(got) != workers*each {
		t.Errorf("claimed %d deliveries after concurrent writes, want %d", len(got), workers*each)
	}
}

// writeOne records what one inbound message writes: a contact, a
// conversation, a message, its ref and its desk delivery. It reports
// failures as errors, so it may run off the test goroutine.
func writeOne(tx core.Tx) error {
	c := core.Contact{Name: "Bo", Identities: []core.Identity{{Platform: core.Telegram, UserID: unique("u")}}, CreatedAt: T0}
	if err := tx.CreateContact(&c); err != nil {
		return err
	}
	conv := core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Telegram, Chat: unique("chat")}, Status: core.StatusOpen, CreatedAt: T0}
	if err := tx.CreateConversation(&conv); err != nil {
		return err
	}
	m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "hi", CreatedAt: T0}
	if err := tx.CreateMessage(&m); err != nil {
		return err
	}
	if err := tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: core.Telegram, Chat: conv.Customer.Chat, PlatformID: "1"}); err != nil {
		return err
	}
	return tx.Enqueue(&core.Delivery{Key: unique("c"), ConversationID: conv.ID, MessageID: m.ID, Op: core.OpSend, Side: core.DeskSide, NextAttemptAt: T0})
}

func testRollback(t *testing.T, s core.Store) {
	boom := errors.New("boom")
	ident := core.Identity{Platform: core.Discord, UserID: unique("d")}
	chat := unique("R")
	err := s.InTx(context.Background(), func(tx core.Tx) error {
		c := core.Contact{Name: "gone", Identities: []core.Identity{ident}}
		if err := tx.CreateContact(&c); err != nil {
			return err
		}
		conv := core.Conversation{ContactID: c.ID, Customer: core.Place{Platform: core.Discord, Chat: chat}, Status: core.StatusOpen}
		if err := tx.CreateConversation(&conv); err != nil {
			return err
		}
		m := message(t, tx, conv.ID, "never")
		if err := tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Platform: core.Discord, Chat: chat, PlatformID: "1"}); err != nil {
			return err
		}
		if err := tx.Enqueue(&core.Delivery{Key: unique("r"), ConversationID: conv.ID, MessageID: m.ID, Op: core.OpSend, Side: core.DeskSide, NextAttemptAt: T0}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	inTx(t, s, func(tx core.Tx) error {
		_, err := tx.ContactByIdentity(ident.Platform, ident.UserID)
		wantErr(t, "ContactByIdentity after rollback", err, core.ErrNotFound)
		_, err = tx.RefByPlatformID(core.Discord, chat, "1")
		wantErr(t, "RefByPlatformID after rollback", err, core.ErrNotFound)
		return nil
	})
	_, err = s.NextDue(context.Background())
	wantErr(t, "NextDue after rollback", err, core.ErrNotFound)
	wantClaim(t, s, T0.Add(time.Hour))
}

func testAudit(t *testing.T, s core.Store) {
	w := seed(t, s)
	obj := w.conv.ID.String()
	entries := []core.AuditEntry{
		{At: T0, Actor: "staff:sam", Action: "close", Object: obj, Detail: "solved"},
		{At: T0.Add(time.Second), Actor: "contact:1", Action: "reopen", Object: obj},
	}
	inTx(t, s, func(tx core.Tx) error {
		for _, e := range entries {
			if err := tx.Audit(e); err != nil {
				return err
			}
		}
		return nil
	})
	var got []core.AuditEntry
	inTx(t, s, func(tx core.Tx) error {
		var err error
		got, err = tx.AuditEntries(obj, 10)
		return err
	})
	if len(got) != len(entries) {
		t.Fatalf("AuditEntries = %+v, want %d entries", got, len(entries))
	}
	for i, e := range entries {
		g := got[i]
		if g.ID == 0 || !g.At.Equal(e.At) || g.Actor != e.Actor || g.Action != e.Action || g.Object != e.Object || g.Detail != e.Detail {
			t.Errorf("entry %d = %+v, want %+v", i, g, e)
		}
	}
	inTx(t, s, func(tx core.Tx) error {
		last, err := tx.AuditEntries(obj, 1)
		if err == nil && (len(last) != 1 || last[0].Action != "reopen") {
			t.Errorf("AuditEntries(limit 1) = %+v, want the newest entry", last)
		}
		return err
	})
}

func testLists(t *testing.T, s core.Store) {
	w := seed(t, s)
	var second core.Conversation
	inTx(t, s, func(tx core.Tx) error {
		message(t, tx, w.conv.ID, "one")
		message(t, tx, w.conv.ID, "two")
		second = core.Conversation{ContactID: w.contact.ID, Customer: core.Place{Platform: core.Telegram, Chat: unique("chat")}, Status: core.StatusOpen, CreatedAt: T0, UpdatedAt: T0}
		return tx.CreateConversation(&second)
	})
	inTx(t, s, func(tx core.Tx) error {
		ms, err := tx.Messages(w.conv.ID)
		if err != nil {
			return err
		}
		if len(ms) != 2 || ms[0].Text != "one" || ms[1].Text != "two" {
			t.Errorf("Messages = %+v, want one, two", ms)
		}
		for i, side := range []core.Side{core.DeskSide, core.CustomerSide} {
			d := core.Delivery{Key: unique("k"), ConversationID: w.conv.ID, MessageID: ms[0].ID, Op: core.OpSend, Side: side, Platform: core.Slack, NextAttemptAt: T0.Add(time.Duration(i) * time.Second)}
			if err := tx.Enqueue(&d); err != nil {
				return err
			}
		}
		ds, err := tx.Deliveries(ms[0].ID)
		if err != nil {
			return err
		}
		if len(ds) != 2 || ds[0].Side != core.DeskSide || ds[1].Side != core.CustomerSide {
			t.Errorf("Deliveries = %+v, want desk then customer", ds)
		}
		seen, err := tx.LastSeen(w.contact.ID)
		if err != nil || !seen.Equal(T0) {
			t.Errorf("LastSeen = %v, %v; want %v", seen, err, T0)
		}
		cs, err := tx.Conversations(w.contact.ID, 10)
		if err != nil {
			return err
		}
		if len(cs) != 2 || cs[0].ID != second.ID || cs[1].ID != w.conv.ID {
			t.Errorf("Conversations = %+v, want newest first", cs)
		}
		return nil
	})
}

func testMerge(t *testing.T, s core.Store) {
	a, b := seed(t, s), seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "MergeContacts(self)", tx.MergeContacts(a.contact.ID, a.contact.ID, "staff:x", T0), core.ErrInvalid)
		return tx.MergeContacts(b.contact.ID, a.contact.ID, "staff:x", T0)
	})
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.ContactByIdentity(b.contact.Identities[0].Platform, b.contact.Identities[0].UserID)
		wantErr(t, "ContactByIdentity", err, nil)
		if got.ID != a.contact.ID || len(got.Identities) != 2 {
			t.Errorf("after merge b's identity belongs to %+v, want contact %d with both identities", got, a.contact.ID)
		}
		conv, err := tx.Conversation(b.conv.ID)
		wantErr(t, "Conversation", err, nil)
		if conv.ContactID != a.contact.ID {
			t.Errorf("b's conversation belongs to %d, want %d", conv.ContactID, a.contact.ID)
		}
		merged, err := tx.MergedInto(a.contact.ID)
		wantErr(t, "MergedInto", err, nil)
		if len(merged) != 1 || merged[0] != b.contact.ID {
			t.Errorf("MergedInto = %v, want [%d]", merged, b.contact.ID)
		}
		into, err := tx.UnmergeContact(b.contact.ID, T0.Add(time.Minute))
		wantErr(t, "UnmergeContact", err, nil)
		if into != a.contact.ID {
			t.Errorf("UnmergeContact = %d, want %d", into, a.contact.ID)
		}
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.ContactByIdentity(b.contact.Identities[0].Platform, b.contact.Identities[0].UserID)
		wantErr(t, "ContactByIdentity", err, nil)
		conv, _ := tx.Conversation(b.conv.ID)
		if got.ID != b.contact.ID || conv.ContactID != b.contact.ID {
			t.Errorf("after unmerge identity -> %d, conversation -> %d, want both %d", got.ID, conv.ContactID, b.contact.ID)
		}
		_, err = tx.UnmergeContact(b.contact.ID, T0)
		wantErr(t, "UnmergeContact again", err, core.ErrNotFound)
		return nil
	})
}

func testLinkCodes(t *testing.T, s core.Store) {
	w := seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "SaveLinkCode", tx.SaveLinkCode(w.contact.ID, "123456", T0.Add(time.Hour)), nil)
		wantErr(t, "SaveLinkCode again", tx.SaveLinkCode(w.contact.ID, "123456", T0.Add(time.Hour)), core.ErrDuplicate)
		return tx.SaveLinkCode(w.contact.ID, "999999", T0.Add(time.Minute))
	})
	inTx(t, s, func(tx core.Tx) error {
		id, err := tx.TakeLinkCode("123456", T0)
		wantErr(t, "TakeLinkCode", err, nil)
		if id != w.contact.ID {
			t.Errorf("TakeLinkCode = %d, want %d", id, w.contact.ID)
		}
		_, err = tx.TakeLinkCode("123456", T0)
		wantErr(t, "TakeLinkCode twice", err, core.ErrNotFound)
		_, err = tx.TakeLinkCode("999999", T0.Add(time.Hour))
		wantErr(t, "TakeLinkCode expired", err, core.ErrNotFound)
		return nil
	})
}

func testStaffPrefs(t *testing.T, s core.Store) {
	inTx(t, s, func(tx core.Tx) error {
		team, err := tx.StaffPrefersTeam("nobody")
		if err != nil || team {
			t.Errorf("StaffPrefersTeam(unset) = %v, %v; want false", team, err)
		}
		wantErr(t, "SetStaffPrefersTeam", tx.SetStaffPrefersTeam("alice", true, T0), nil)
		wantErr(t, "SetStaffPrefersTeam again", tx.SetStaffPrefersTeam("alice", false, T0), nil)
		wantErr(t, "SetStaffPrefersTeam bob", tx.SetStaffPrefersTeam("bob", true, T0), nil)
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		a, _ := tx.StaffPrefersTeam("alice")
		b, _ := tx.StaffPrefersTeam("bob")
		if a || !b {
			t.Errorf("prefs alice=%v bob=%v, want false, true", a, b)
		}
		return nil
	})
}

func testContactFields(t *testing.T, s core.Store) {
	w := seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "set plan", tx.SetContactField(w.contact.ID, core.Field{Key: "plan", Value: "Pro"}, T0), nil)
		wantErr(t, "set city", tx.SetContactField(w.contact.ID, core.Field{Key: "city", Value: "Lyon"}, T0), nil)
		wantErr(t, "change plan", tx.SetContactField(w.contact.ID, core.Field{Key: "plan", Value: "Team"}, T0), nil)
		wantErr(t, "remove city", tx.SetContactField(w.contact.ID, core.Field{Key: "city"}, T0), nil)
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		fs, err := tx.ContactFields(w.contact.ID)
		if err != nil || len(fs) != 1 || fs[0] != (core.Field{Key: "plan", Value: "Team"}) {
			t.Errorf("ContactFields = %+v, %v; want plan: Team", fs, err)
		}
		return nil
	})
}

func testSnippets(t *testing.T, s core.Store) {
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "save", tx.SaveSnippet("bye", "See you", "staff:a", T0), nil)
		wantErr(t, "save again", tx.SaveSnippet("bye", "See you soon", "staff:a", T0), nil)
		wantErr(t, "save hi", tx.SaveSnippet("hi", "Hello", "staff:a", T0), nil)
		wantErr(t, "remove hi", tx.SaveSnippet("hi", "", "staff:a", T0), nil)
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.Snippets()
		if err != nil || len(got) != 1 || got["bye"] != "See you soon" {
			t.Errorf("Snippets = %v, %v", got, err)
		}
		return nil
	})
}
