package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"cornershop/core"
)

// Person is someone SeedPerson recorded everywhere a person can leave a
// trace, with the words that must be gone after their erase.
type Person struct {
	Contact core.Contact
	// Merged is a second contact of theirs, merged into Contact.
	Merged core.ContactID
	Conv   core.Conversation
	// Messages are their conversation's messages (the first copied into
	// the desk).
	Messages []core.Message
	// Shared is the idea they proposed that someone else voted for;
	// Lonely the one nobody else wanted; Voted one they voted for and
	// commented on.
	Shared, Lonely, Voted core.IdeaID
	// Needles are their names, handles, platform ids and texts: after an
	// erase none may appear anywhere. (The title of Shared stays: others
	// wanted the idea.)
	Needles []string
}

// SeedPerson records a person whose every word and id contains tag
// (letters only, so each is its own word for a full-text index): a
// contact with two accounts and a profile, a second contact merged into
// it, a conversation with messages (refs on both sides, a failed delivery
// quoting the text, a webhook event, an answer suggestion and a miss, a
// survey comment, a handled request, a link code, an audit entry naming
// them), ideas they proposed, votes and a comment. other is another
// contact who votes for Shared and Voted.
func SeedPerson(tb testing.TB, s core.Store, tag string, other core.Contact) Person {
	tb.Helper()
	w := func(s string) string { return s + tag } // a word of theirs
	p := Person{}
	tgID, slID, mergedID := unique("7"+tag), unique("U"+tag), unique("9"+tag)
	p.Needles = []string{w("Zebediah"), w("zebhandle"), w("Quarrington"), tgID, slID, mergedID,
		w("marmalade"), w("xylophone"), w("quokkaplan"), w("lonelyidea"), w("commentword"),
		w("profilevalue"), w("mergedname"), w("surveyremark"), w("listenedword")}
	inTx(tb, s, func(tx core.Tx) error {
		p.Contact = core.Contact{Name: w("Zebediah") + " " + w("Quarrington"), Tags: []string{w("vip")}, CreatedAt: T0, Identities: []core.Identity{
			{Platform: core.Telegram, UserID: tgID, Handle: w("zebhandle"), Name: w("Zebediah")},
			{Platform: core.Slack, UserID: slID, Name: w("Quarrington")},
		}}
		must(tb, "CreateContact", tx.CreateContact(&p.Contact))
		merged := core.Contact{Name: w("mergedname"), CreatedAt: T0, Identities: []core.Identity{{Platform: core.Discord, UserID: mergedID, Name: w("mergedname")}}}
		must(tb, "CreateContact merged", tx.CreateContact(&merged))
		p.Merged = merged.ID
		must(tb, "MergeContacts", tx.MergeContacts(merged.ID, p.Contact.ID, "staff:alice", T0))
		must(tb, "SetContactField", tx.SetContactField(p.Contact.ID, core.Field{Key: "company", Value: w("profilevalue")}, T0))
		must(tb, "SaveLinkCode", tx.SaveLinkCode(p.Contact.ID, unique("code"), T0.Add(time.Hour)))
		p.Conv = core.Conversation{ContactID: p.Contact.ID, Customer: core.Place{Platform: core.Telegram, Chat: tgID},
			Desk: core.Place{Platform: core.Slack, Chat: "CDESK", Thread: unique("1700.")}, Status: core.StatusOpen, Tags: []string{w("urgent")},
			CreatedAt: T0, UpdatedAt: T0}
		must(tb, "CreateConversation", tx.CreateConversation(&p.Conv))
		for i, text := range []string{w("marmalade") + " and " + w("xylophone"), "about the " + w("quokkaplan")} {
			m := core.Message{ConversationID: p.Conv.ID, Direction: core.Inbound, Author: fmt.Sprintf("contact:%d", p.Contact.ID),
				AuthorName: w("Zebediah"), Text: text, CreatedAt: T0,
				Attachments: []core.Attachment{{Kind: core.KindFile, Name: w("marmalade") + ".pdf", Platform: core.Telegram, Ref: tgID + "file"}}}
			must(tb, "CreateMessage", tx.CreateMessage(&m))
			p.Messages = append(p.Messages, m)
			must(tb, "AddRef customer", tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: core.Telegram, Chat: tgID, PlatformID: fmt.Sprint(i + 1)}))
			if i == 0 {
				must(tb, "AddRef desk", tx.AddRef(core.Ref{MessageID: m.ID, Side: core.DeskSide, Platform: core.Slack, Chat: "CDESK", PlatformID: unique("1700.")}))
			}
		}
		d := core.Delivery{Key: unique("k"), ConversationID: p.Conv.ID, MessageID: p.Messages[1].ID, Op: core.OpSend, Side: core.DeskSide, Platform: core.Slack, NextAttemptAt: T0}
		must(tb, "Enqueue", tx.Enqueue(&d))
		must(tb, "RetryDelivery", tx.RetryDelivery(d.ID, 1, T0, "rejected text "+w("xylophone")))
		data, _ := json.Marshal(map[string]string{"name": p.Contact.Name, "text": p.Messages[0].Text})
		ev := core.WebhookEvent{Type: core.EventMessageCreated, Subject: fmt.Sprintf("conversation:%d", p.Conv.ID), Contact: p.Contact.ID, Data: data, CreatedAt: T0}
		must(tb, "RecordWebhookEvent", tx.RecordWebhookEvent(&ev))
		must(tb, "CreateSuggestion", tx.CreateSuggestion(&core.Suggestion{Conversation: p.Conv.ID, Message: p.Messages[0].ID, CreatedAt: T0}))
		must(tb, "RecordMiss", tx.RecordMiss(p.Messages[1].Text, T0))
		sv := core.Survey{Conversation: p.Conv.ID, Contact: p.Contact.ID, Desk: p.Conv.Desk, SentAt: T0}
		must(tb, "CreateSurvey", tx.CreateSurvey(&sv))
		must(tb, "CommentSurvey", tx.CommentSurvey(sv.ID, w("surveyremark"), T0))
		community := core.Place{Platform: core.Telegram, Chat: unique("-100")}
		sig := core.Signal{Rule: "checkout", Desk: core.Place{Platform: core.Slack, Chat: "CDESK"}, Place: community, Count: 1, FirstAt: T0, LastAt: T0, State: core.SignalOpen}
		must(tb, "CreateSignal", tx.CreateSignal(&sig))
		must(tb, "AddSignalMessage", tx.AddSignalMessage(&core.SignalMessage{Signal: sig.ID, Contact: p.Contact.ID, Rule: "checkout", Place: community,
			PlatformID: unique("5"), AuthorName: w("Zebediah"), Text: "the checkout " + w("listenedword") + " is broken", Term: "checkout", At: T0}))
		if _, err := tx.MarkHandled(core.Telegram, tgID+"/"+unique("cb"), T0); err != nil {
			tb.Fatalf("MarkHandled: %v", err)
		}
		must(tb, "Audit", tx.Audit(core.AuditEntry{At: T0, Actor: "staff:alice", Action: "profile", Object: p.Contact.ID.String(), Detail: w("profilevalue")}))

		me := core.Voter{Contact: p.Contact.ID, Platform: core.Telegram, UserID: tgID, Chat: tgID, At: T0}
		them := core.Voter{Contact: other.ID, Platform: other.Identities[0].Platform, UserID: other.Identities[0].UserID, At: T0}
		for i, title := range []string{w("sharedidea"), w("lonelyidea")} {
			idea := core.Idea{Title: title, Body: title + " body", Status: core.IdeaNew, Author: p.Contact.ID, AuthorName: p.Contact.Name,
				Origin: core.Place{Platform: core.Telegram, Chat: tgID}, SourceID: unique("s"), CreatedAt: T0, UpdatedAt: T0}
			must(tb, "CreateIdea", tx.CreateIdea(&idea))
			toggle(tb, tx, idea.ID, me)
			if i == 0 {
				p.Shared = idea.ID
				toggle(tb, tx, idea.ID, them)
			} else {
				p.Lonely = idea.ID
			}
		}
		voted := core.Idea{Title: "someone else's idea", Status: core.IdeaNew, Author: other.ID, CreatedAt: T0, UpdatedAt: T0}
		must(tb, "CreateIdea", tx.CreateIdea(&voted))
		p.Voted = voted.ID
		toggle(tb, tx, voted.ID, me)
		toggle(tb, tx, voted.ID, them)
		must(tb, "AddComment", tx.AddComment(&core.IdeaComment{Idea: voted.ID, Author: fmt.Sprintf("contact:%d", p.Contact.ID), AuthorName: w("Zebediah"),
			UserID: tgID, Text: w("commentword"), Platform: core.Telegram, Chat: tgID, PlatformID: unique("c"), At: T0}))
		return nil
	})
	return p
}

func must(tb testing.TB, what string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

func toggle(tb testing.TB, tx core.Tx, idea core.IdeaID, v core.Voter) {
	tb.Helper()
	if r, err := tx.ToggleVote(idea, v); err != nil || r != core.Voted {
		tb.Fatalf("ToggleVote(%v, %s) = %v, %v", idea, v.UserID, r, err)
	}
}

// testErase: an erase leaves tombstones, detaches the accounts, recounts
// votes (an idea others voted for stays, by a former member; one nobody
// else wanted is hidden), reports the desk copies and ideas to refresh,
// audits, and a second erase succeeds; another person keeps everything.
func testErase(t *testing.T, s core.Store) {
	other := seed(t, s).contact
	p := SeedPerson(t, s, "q", other)
	at := T0.Add(24 * time.Hour)
	stone := core.Tombstone(at)
	var rep core.EraseReport
	inTx(t, s, func(tx core.Tx) error {
		var err error
		rep, err = tx.EraseContact(p.Contact.ID, core.Erasure{Tombstone: stone, Actor: "staff:alice", At: at})
		return err
	})
	if !slices.Equal(rep.Contacts, []core.ContactID{p.Contact.ID, p.Merged}) || !slices.Equal(rep.Conversations, []core.ConversationID{p.Conv.ID}) ||
		!slices.Equal(rep.DeskCopies, []core.MessageID{p.Messages[0].ID}) || !slices.Equal(rep.Ideas, []core.IdeaID{p.Shared, p.Lonely, p.Voted}) {
		t.Errorf("EraseReport = %+v", rep)
	}
	inTx(t, s, func(tx core.Tx) error {
		for _, id := range p.Contact.Identities {
			if _, err := tx.ContactByIdentity(id.Platform, id.UserID); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("ContactByIdentity(%s) after erase: %v, want ErrNotFound", id.UserID, err)
			}
		}
		c, err := tx.Contact(p.Contact.ID)
		if err != nil || c.Name != "" || len(c.Identities) != 0 || len(c.Tags) != 0 {
			t.Errorf("Contact after erase = %+v, %v", c, err)
		}
		ms, err := tx.Messages(p.Conv.ID)
		if err != nil || len(ms) != 2 {
			t.Fatalf("Messages = %v, %v", ms, err)
		}
		for _, m := range ms {
			if m.Text != stone || m.AuthorName != "" || len(m.Attachments) != 0 {
				t.Errorf("message after erase = %+v", m)
			}
		}
		if refs, _ := tx.Refs(p.Messages[0].ID, core.DeskSide); len(refs) != 1 {
			t.Errorf("desk refs after erase = %v, want the one to edit", refs)
		}
		if refs, _ := tx.Refs(p.Messages[0].ID, core.CustomerSide); len(refs) != 0 {
			t.Errorf("customer refs after erase = %v, want none", refs)
		}
		for id, want := range map[core.IdeaID]struct {
			votes  int
			hidden bool
			author string
		}{p.Shared: {1, false, core.FormerMember}, p.Lonely: {0, true, core.FormerMember}, p.Voted: {1, false, ""}} {
			i, err := tx.Idea(id)
			if err != nil || i.Votes != want.votes || i.Hidden != want.hidden || i.AuthorName != want.author || i.Comments != 0 {
				t.Errorf("idea %v after erase = votes %d hidden %v author %q comments %d, %v; want %+v", id, i.Votes, i.Hidden, i.AuthorName, i.Comments, err, want)
			}
		}
		es, err := tx.AuditEntries(p.Contact.ID.String(), 10)
		if err != nil || len(es) == 0 || es[len(es)-1].Action != "privacy.erase" || es[len(es)-1].Actor != "staff:alice" {
			t.Errorf("audit after erase = %+v, %v", es, err)
		}
		for _, e := range es {
			if e.Detail != "" && e.Action != "privacy.erase" {
				t.Errorf("audit entry keeps its detail: %+v", e)
			}
		}
		// The other person keeps their vote and contact.
		if c, err := tx.ContactByIdentity(other.Identities[0].Platform, other.Identities[0].UserID); err != nil || c.Name != other.Name {
			t.Errorf("other contact after erase = %+v, %v", c, err)
		}
		return nil
	})
	// Again: nothing more to change, still fine.
	inTx(t, s, func(tx core.Tx) error {
		_, err := tx.EraseContact(p.Contact.ID, core.Erasure{Tombstone: stone, Actor: "staff:alice", At: at})
		return err
	})
	inTx(t, s, func(tx core.Tx) error {
		_, err := tx.EraseContact(core.ContactID(1<<40), core.Erasure{Tombstone: stone})
		wantErr(t, "EraseContact unknown", err, core.ErrNotFound)
		return nil
	})
}

// testRetentionErase: erasing some conversations keeps the contact, its
// accounts and its other conversations, and ClosedBefore lists only
// closed, unerased conversations past the time.
func testRetentionErase(t *testing.T, s core.Store) {
	w := seed(t, s)
	c, old := w.contact, w.conv
	var recent core.Conversation
	inTx(t, s, func(tx core.Tx) error {
		must(t, "close old", tx.UpdateConversation(old.ID, core.ConversationPatch{Status: ptr(core.StatusClosed), ClosedAt: ptr(T0)}, T0))
		recent = core.Conversation{ContactID: c.ID, Customer: old.Customer, Status: core.StatusClosed, CreatedAt: T0, UpdatedAt: T0}
		must(t, "CreateConversation", tx.CreateConversation(&recent))
		must(t, "close recent", tx.UpdateConversation(recent.ID, core.ConversationPatch{ClosedAt: ptr(T0.Add(48 * time.Hour))}, T0))
		message(t, tx, old.ID, "old words")
		message(t, tx, recent.ID, "recent words")
		return nil
	})
	before := T0.Add(24 * time.Hour)
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.ClosedBefore(before, 10)
		if err != nil || len(got) != 1 || got[0].ID != old.ID {
			t.Fatalf("ClosedBefore = %+v, %v; want the old conversation", got, err)
		}
		_, err = tx.EraseContact(c.ID, core.Erasure{Tombstone: "gone", Actor: "retention", At: before, Conversations: []core.ConversationID{old.ID}})
		return err
	})
	inTx(t, s, func(tx core.Tx) error {
		if got, err := tx.ClosedBefore(before, 10); err != nil || len(got) != 0 {
			t.Errorf("ClosedBefore after erase = %+v, %v; want none", got, err)
		}
		if _, err := tx.ContactByIdentity(c.Identities[0].Platform, c.Identities[0].UserID); err != nil {
			t.Errorf("retention detached the account: %v", err)
		}
		for conv, want := range map[core.ConversationID]string{old.ID: "gone", recent.ID: "recent words"} {
			if ms, err := tx.Messages(conv); err != nil || len(ms) != 1 || ms[0].Text != want {
				t.Errorf("Messages(%v) = %+v, %v; want %q", conv, ms, err, want)
			}
		}
		return nil
	})
}

func ptr[T any](v T) *T { return &v }
