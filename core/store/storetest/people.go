package storetest

import (
	"testing"
	"time"

	"cornershop/core"
)

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
