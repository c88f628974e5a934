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
		{"Cursors", testCursors},
		{"LockContact", testLockContact},
		{"Enqueue", testEnqueue},
		{"ClaimOrder", testClaimOrder},
		{"ClaimPerConversation", testClaimPerConversation},
		{"Lease", testLease},
		{"MaybeSent", testMaybeSent},
		{"RetryAndFinish", testRetryAndFinish},
		{"NextDue", testNextDue},
		{"ConcurrentClaimers", testConcurrentClaimers},
		{"ConcurrentTx", testConcurrentTx},
		{"Rollback", testRollback},
		{"Audit", testAudit},
		{"Lists", testLists},
		{"MergeAndUnmerge", testMerge},
		{"LinkCodes", testLinkCodes},
		{"ExportLinks", testExportLinks},
		{"StaffPrefs", testStaffPrefs},
		{"ContactFields", testContactFields},
		{"Snippets", testSnippets},
		{"Ideas", testIdeas},
		{"IdeaLanes", testIdeaLanes},
		{"IdeaCardInFlight", testIdeaCardInFlight},
		{"IdeaCardKeepsUpdatedAt", testIdeaCardKeepsUpdatedAt},
		{"Handled", testHandled},
		{"HandledConcurrent", testHandledConcurrent},
		{"Clocks", testClocks},
		{"Surveys", testSurveys},
		{"WebhookEvents", testWebhookEvents},
		{"WebhookFailures", testWebhookFailures},
		{"Answers", testAnswers},
		{"AnswerRanking", testAnswerRanking},
		{"SearchContacts", testSearchContacts},
		{"SearchMessages", testSearchMessages},
		{"SearchFollowsChanges", testSearchFollowsChanges},
		{"SearchHostileInput", testSearchHostileInput},
		{"RecordsPages", testRecordsPages},
		{"Erase", testErase},
		{"RetentionErase", testRetentionErase},
		{"Signals", testSignals},
		{"ListeningStats", testListeningStats},
		{"Incidents", testIncidents},
		{"IncidentUpdates", testIncidentUpdates},
		{"IncidentSearch", testIncidentSearch},
		{"ClaimPriority", testClaimPriority},
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
