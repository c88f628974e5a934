package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"cornershop/core"
)

// searchPerson creates a contact with one identity (handle) and profile fields.
func searchPerson(tb testing.TB, tx core.Tx, name, handle string, fields ...core.Field) core.Contact {
	tb.Helper()
	c := core.Contact{Name: name, Identities: []core.Identity{{Platform: core.Telegram, UserID: unique("u"), Handle: handle, Name: name}}, CreatedAt: T0}
	if err := tx.CreateContact(&c); err != nil {
		tb.Fatalf("CreateContact: %v", err)
	}
	for _, f := range fields {
		if err := tx.SetContactField(c.ID, f, T0); err != nil {
			tb.Fatalf("SetContactField: %v", err)
		}
	}
	return c
}

func contactNames(cs []core.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func testSearchContacts(t *testing.T, s core.Store) {
	inTx(t, s, func(tx core.Tx) error {
		searchPerson(t, tx, "Ada Lovelace", "countess")
		searchPerson(t, tx, "Grace Hopper", "amazing_grace", core.Field{Key: "company", Value: "Lovelace Labs"})
		searchPerson(t, tx, "Élodie Dupré", "elo")
		return nil
	})
	tests := []struct {
		q    string
		want []string
	}{
		{"lovelace", []string{"Ada Lovelace", "Grace Hopper"}}, // the name outranks a profile value
		{"LOVELACE labs", []string{"Grace Hopper"}},            // every word must match
		{"countess", []string{"Ada Lovelace"}},                 // a platform handle
		{"amazing_grace", []string{"Grace Hopper"}},
		{"hopper grace", []string{"Grace Hopper"}},
		{"babbage", nil},
		{"", nil},
		{"   !!! ", nil},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			inTx(t, s, func(tx core.Tx) error {
				got, err := tx.SearchContacts(core.SearchQuery{Text: tc.q})
				if err != nil {
					t.Fatalf("SearchContacts(%q): %v", tc.q, err)
				}
				if !slices.Equal(contactNames(got), tc.want) {
					t.Errorf("SearchContacts(%q) = %q, want %q", tc.q, contactNames(got), tc.want)
				}
				return nil
			})
		})
	}
}

// testSearchFollowsChanges checks the index follows every write: a
// renamed field, a removed one, a changed message, a deleted one.
func testSearchFollowsChanges(t *testing.T, s core.Store) {
	w := seed(t, s)
	var m core.Message
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "set field", tx.SetContactField(w.contact.ID, core.Field{Key: "city", Value: "Lyon"}, T0), nil)
		m = core.Message{ConversationID: w.conv.ID, Direction: core.Inbound, Text: "my parcel never arrived", CreatedAt: T0}
		return tx.CreateMessage(&m)
	})
	count := func(what string, f func(tx core.Tx) (int, error)) (n int) {
		t.Helper()
		inTx(t, s, func(tx core.Tx) error {
			var err error
			n, err = f(tx)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return nil
		})
		return n
	}
	contacts := func(q string) int {
		return count("search contacts "+q, func(tx core.Tx) (int, error) {
			cs, err := tx.SearchContacts(core.SearchQuery{Text: q})
			return len(cs), err
		})
	}
	messages := func(q string) int {
		return count("search messages "+q, func(tx core.Tx) (int, error) {
			hs, err := tx.SearchMessages(core.SearchQuery{Text: q})
			for _, h := range hs {
				if h.Conversation.ID != w.conv.ID || h.Message.ID != m.ID {
					t.Errorf("hit %+v, want message %d of conversation %d", h, m.ID, w.conv.ID)
				}
			}
			return len(hs), err
		})
	}
	if contacts("lyon") != 1 || messages("parcel") != 1 {
		t.Fatalf("before changes: lyon %d contacts, parcel %d messages; want 1 and 1", contacts("lyon"), messages("parcel"))
	}
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "move", tx.SetContactField(w.contact.ID, core.Field{Key: "city", Value: "Nantes"}, T0), nil)
		text := "my package never arrived"
		return tx.UpdateMessage(m.ID, core.MessagePatch{Text: &text})
	})
	if contacts("lyon") != 0 || contacts("nantes") != 1 || messages("parcel") != 0 || messages("package") != 1 {
		t.Errorf("after edits: lyon %d nantes %d parcel %d package %d; want 0 1 0 1", contacts("lyon"), contacts("nantes"), messages("parcel"), messages("package"))
	}
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "remove field", tx.SetContactField(w.contact.ID, core.Field{Key: "city"}, T0), nil)
		return tx.UpdateMessage(m.ID, core.MessagePatch{DeletedAt: &T0})
	})
	if contacts("nantes") != 0 || messages("package") != 0 {
		t.Errorf("after removal: nantes %d package %d; want 0 0", contacts("nantes"), messages("package"))
	}
}

func testSearchMessages(t *testing.T, s core.Store) {
	w := seed(t, s)
	texts := []struct {
		dir  core.Direction
		text string
	}{
		{core.Inbound, "The invoice is wrong"},
		{core.Reply, "invoice: invoices, invoice"},
		{core.Note, "invoice bug filed"},
		{core.System, "invoice shown by cornershop"}, // never found
		{core.Inbound, "I am running late"},
	}
	ids := make([]core.MessageID, len(texts))
	inTx(t, s, func(tx core.Tx) error {
		for i, x := range texts {
			m := core.Message{ConversationID: w.conv.ID, Direction: x.dir, Text: x.text, CreatedAt: T0}
			if err := tx.CreateMessage(&m); err != nil {
				return err
			}
			ids[i] = m.ID
		}
		return nil
	})
	search := func(q core.SearchQuery) []core.MessageID {
		var got []core.MessageID
		inTx(t, s, func(tx core.Tx) error {
			hs, err := tx.SearchMessages(q)
			if err != nil {
				t.Fatalf("SearchMessages(%q): %v", q.Text, err)
			}
			for _, h := range hs {
				got = append(got, h.Message.ID)
			}
			return nil
		})
		return got
	}
	// Newest first; stems match (invoices, invoice); system notes never.
	if got, want := search(core.SearchQuery{Text: "Invoice", Order: core.ByNewest}), []core.MessageID{ids[2], ids[1], ids[0]}; !slices.Equal(got, want) {
		t.Errorf("newest first = %v, want %v", got, want)
	}
	// By relevance the message that says it twice comes first.
	if got := search(core.SearchQuery{Text: "invoice"}); len(got) != 3 || got[0] != ids[1] {
		t.Errorf("by relevance = %v, want %d first of 3", got, ids[1])
	}
	if got := search(core.SearchQuery{Text: "runs"}); !slices.Equal(got, []core.MessageID{ids[4]}) {
		t.Errorf("stemmed runs = %v, want [%d] (running)", got, ids[4])
	}
	if got := search(core.SearchQuery{Text: "invoice", Limit: 1, Order: core.ByNewest}); len(got) != 1 {
		t.Errorf("limit 1 = %v", got)
	}
}

// testSearchHostileInput checks that no text breaks the query: FTS5 and
// tsquery syntax, quotes, operators, huge and odd input.
func testSearchHostileInput(t *testing.T, s core.Store) {
	w := seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		m := core.Message{ConversationID: w.conv.ID, Direction: core.Inbound, Text: `he said "hello" (twice) AND left`, CreatedAt: T0}
		return tx.CreateMessage(&m)
	})
	inputs := []string{
		`"`, `""`, `"hello`, `hello"`, `a" OR "b`, `NEAR(a b)`, `*`, `hello*`, `-hello`, `hello -`,
		`AND`, `OR OR`, `NOT`, `)(`, `{col}: x`, `name:ada`, `^hello`, `'`, `\`, `&|!:*`,
		"\x00hello", "héllo wörld", "😀", "日本語", strings.Repeat("hello ", 5000), strings.Repeat("x", 100000),
	}
	for _, in := range inputs {
		inTx(t, s, func(tx core.Tx) error {
			if _, err := tx.SearchMessages(core.SearchQuery{Text: in}); err != nil {
				t.Errorf("SearchMessages(%.40q): %v", in, err)
			}
			if _, err := tx.SearchContacts(core.SearchQuery{Text: in}); err != nil {
				t.Errorf("SearchContacts(%.40q): %v", in, err)
			}
			return nil
		})
	}
	inTx(t, s, func(tx core.Tx) error {
		for _, q := range []string{`"hello`, `(twice)`, `hello AND`} {
			if hs, err := tx.SearchMessages(core.SearchQuery{Text: q}); err != nil || len(hs) != 1 {
				t.Errorf("SearchMessages(%q) = %d hits, %v; want the message", q, len(hs), err)
			}
		}
		return nil
	})
}

// testRecordsPages checks the Records lists page by id with no row skipped
// or repeated while rows are inserted between pages, and filter.
func testRecordsPages(t *testing.T, s core.Store) {
	r, ok := s.(core.Records)
	if !ok {
		t.Skip("store does not implement core.Records")
	}
	ctx := context.Background()
	var made []core.ContactID
	add := func(n int) {
		inTx(t, s, func(tx core.Tx) error {
			for range n {
				c := searchPerson(t, tx, unique("Pat "), unique("pat"))
				made = append(made, c.ID)
			}
			return nil
		})
	}
	add(5)
	var seen []core.ContactID
	after := core.ContactID(0)
	for page := 0; ; page++ {
		cs, err := r.ListContacts(ctx, core.ContactQuery{After: after, Limit: 2, Platform: core.Telegram})
		if err != nil {
			t.Fatalf("ListContacts: %v", err)
		}
		if len(cs) == 0 {
			break
		}
		for _, c := range cs {
			seen = append(seen, c.ID)
		}
		after = cs[len(cs)-1].ID
		if page < 3 {
			add(1) // inserted while the client pages
		}
	}
	if !slices.Equal(seen, made) {
		t.Errorf("paged %v, want every contact once in order %v", seen, made)
	}
	inTx(t, s, func(tx core.Tx) error {
		return tx.SetContactTags(made[1], []string{"VIP"}, T0.Add(3600e9))
	})
	tagged, err := r.ListContacts(ctx, core.ContactQuery{Tag: "vip"})
	if err != nil || len(tagged) != 1 || tagged[0].ID != made[1] || !slices.Equal(tagged[0].Tags, []string{"VIP"}) {
		t.Errorf("tag vip = %+v, %v; want contact %d", tagged, err, made[1])
	}
	recent, err := r.ListContacts(ctx, core.ContactQuery{UpdatedSince: T0.Add(1800e9)})
	if err != nil || len(recent) != 1 || recent[0].ID != made[1] {
		t.Errorf("updated since = %+v, %v; want contact %d", recent, err, made[1])
	}
	none, err := r.ListContacts(ctx, core.ContactQuery{Platform: core.Discord})
	if err != nil || len(none) != 0 {
		t.Errorf("platform discord = %+v, %v; want none", none, err)
	}
	if err := s.InTx(ctx, func(tx core.Tx) error { return tx.SetContactTags(99999999, nil, T0) }); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("SetContactTags(unknown) = %v, want ErrNotFound", err)
	}
}
