package relay_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

var carol = core.Staff{ID: "carol", Voice: core.Voice{Name: "Carol Admin"}, Roles: []core.Role{core.RoleAdmin},
	Identities: map[core.PlatformName]string{core.Slack: "U-CAROL"}}

func withAdmin(c *relay.Config) { c.Staff = append(c.Staff, carol) }

// TestEraseFromTheDesk: !privacy erase asks for the contact's number, an
// agent may not run it, and the confirmed erase edits every desk copy to
// the tombstone, empties the card, leaves the person nowhere in the store
// (rows, indexes, file), audits it, and the same account writing again
// starts a new contact in a new thread.
func TestEraseFromTheDesk(t *testing.T) {
	e := newEnv(t, withAdmin)
	e.customer("my secret is vermilionfox")
	e.customer("and my address is 12 quokkalane")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-ALICE", "Thanks Carla!")
	e.staff(conv.Desk, "U-ALICE", fmt.Sprintf("!privacy erase %d", conv.ContactID))
	e.staff(conv.Desk, "U-CAROL", "!privacy erase")
	e.drain()
	if got := e.conversation(); got.ID != conv.ID {
		t.Fatalf("erased before the confirmation")
	}
	e.staff(conv.Desk, "U-CAROL", fmt.Sprintf("!privacy erase %d", conv.ContactID))
	e.drain()

	desk := e.desk.Posts(conv.Desk)
	for _, p := range desk {
		if p.Card != nil && (p.Card.Name != "(erased)" || len(p.Card.Identities) > 0) {
			t.Errorf("card still shows the person: %+v", p.Card)
		}
	}
	all := strings.Join(texts(desk), "\n")
	for _, gone := range []string{"vermilionfox", "quokkalane"} {
		if strings.Contains(all, gone) {
			t.Errorf("desk still shows %q:\n%s", gone, all)
		}
	}
	if !strings.Contains(all, "erased contact") {
		t.Errorf("desk lacks the erase note:\n%s", all)
	}
	found, err := e.store.Occurrences(context.Background(), []string{"vermilionfox", "quokkalane", "Carla"})
	if err != nil || len(found) > 0 {
		t.Errorf("after the erase the store still holds the person in %v (%v)", found, err)
	}
	err = e.store.InTx(context.Background(), func(tx core.Tx) error {
		es, err := tx.AuditEntries(conv.ContactID.String(), 10)
		if err != nil || len(es) == 0 || es[len(es)-1].Action != "privacy.erase" || es[len(es)-1].Actor != "staff:carol" {
			t.Errorf("audit = %+v, %v", es, err)
		}
		if _, err := tx.ContactByIdentity(core.Telegram, "u1"); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("the account is still attached: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.customer("hello again")
	e.drain()
	again := e.conversation()
	if again.ContactID == conv.ContactID || again.Desk.Thread == conv.Desk.Thread {
		t.Errorf("writing again: conversation %+v, want a new contact and thread (was %+v)", again, conv)
	}
}

// TestEraseScrubsBehindTheObserver: the erase's scrub reaches the store
// when the relay wraps it (an Observer, as cmd/cornershop sets one), so
// the write-ahead log keeps nothing of the person either.
func TestEraseScrubsBehindTheObserver(t *testing.T) {
	e := newEnv(t, withAdmin, withObserver(&observed{}))
	e.customer("my secret is saffronwombat")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-CAROL", fmt.Sprintf("!privacy erase %d", conv.ContactID))
	e.drain()
	found, err := e.store.Occurrences(context.Background(), []string{"saffronwombat"})
	if err != nil || len(found) > 0 {
		t.Errorf("after the erase the store still holds the person in %v (%v)", found, err)
	}
}

// TestEraseWhereDeletesAreRefused: a desk copy the platform will not
// delete is edited to the tombstone instead; one it will neither delete
// nor edit is listed in the thread.
func TestEraseWhereDeletesAreRefused(t *testing.T) {
	for _, editToo := range []bool{false, true} {
		t.Run(fmt.Sprintf("edit refused %v", editToo), func(t *testing.T) {
			e := newEnv(t, withAdmin)
			e.customer("something personal")
			e.drain()
			conv := e.conversation()
			e.staff(conv.Desk, "U-CAROL", fmt.Sprintf("!privacy erase %d", conv.ContactID))
			e.desk.FailDeletes(core.Permanent(errors.New("message can't be deleted")))
			if editToo {
				e.desk.FailNext(core.Permanent(errors.New("message_not_found")))
			}
			e.drain()
			all := strings.Join(texts(e.desk.Posts(conv.Desk)), "\n")
			listed := strings.Contains(all, "Not deleted at this desk") && strings.Contains(all, "message_not_found")
			edited := strings.Contains(all, core.Tombstone(e.clock.Now()))
			if listed != editToo || edited == editToo || strings.Contains(all, "something personal") != editToo {
				t.Errorf("listed %v, edited %v, want the refusal listed only when the edit fails too:\n%s", listed, edited, all)
			}
		})
	}
}

// messagesOf returns the texts of a conversation's messages.
func (e *env) messagesOf(conv core.ConversationID) []string {
	e.t.Helper()
	var out []string
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		ms, err := tx.Messages(conv)
		for _, m := range ms {
			out = append(out, m.Text)
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestRetentionErasesOnlyWhatIsPastThePeriod: with a 30-day retention on
// a fake clock, a run erases exactly the conversations closed more than
// 30 days before it (their desk copies deleted), keeps the contact, its
// account and the newer conversation, and queues the next run: the
// schedule is in the outbox, so a new service over the same store (a
// restart) carries it on.
func TestRetentionErasesOnlyWhatIsPastThePeriod(t *testing.T) {
	retention := func(c *relay.Config) {
		c.Privacy = relay.Privacy{Retention: 30 * 24 * time.Hour, RetentionEvery: time.Hour}
	}
	e := newEnv(t, retention)
	if err := e.svc.StartRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.customer("the old matter: tangerine")
	e.drain()
	old := e.conversation()
	e.staff(old.Desk, "U-ALICE", "!close")
	e.drain()
	e.clock.Add(10 * 24 * time.Hour)
	e.customer("the new matter: persimmon")
	e.drain()
	recent := e.conversation()
	if recent.ID == old.ID {
		t.Fatal("no new conversation after the reopen window")
	}
	e.staff(recent.Desk, "U-ALICE", "!close")
	e.drain()

	e.clock.Add(21 * 24 * time.Hour) // old closed 31 days ago, recent 21
	e = newEnvOn(t, e.store, retention)
	e.clock.now = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC).Add(31*24*time.Hour + time.Minute)
	e.drain()
	e.clock.Add(time.Hour)
	e.drain()
	stone := core.Tombstone(e.clock.Now())
	for _, m := range e.messagesOf(old.ID) {
		if m != stone {
			t.Errorf("old conversation keeps %q", m)
		}
	}
	if got := e.messagesOf(recent.ID); !slices.Contains(got, "the new matter: persimmon") {
		t.Errorf("recent conversation = %q, want it kept", got)
	}
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		if _, err := tx.ContactByIdentity(core.Telegram, "u1"); err != nil {
			t.Errorf("retention detached the account: %v", err)
		}
		es, err := tx.AuditEntries(old.ContactID.String(), 20)
		if err != nil || len(es) == 0 || es[len(es)-1].Actor != "retention" {
			t.Errorf("audit = %+v, %v", es, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.staff(recent.Desk, "U-ALICE", "!stats")
	e.drain()
	if desk := strings.Join(texts(e.desk.Posts(recent.Desk)), "\n"); !strings.Contains(desk, "Retention: conversations closed more than 30 days ago are erased.") {
		t.Errorf("!stats does not say the retention policy:\n%s", desk)
	}
	// Ten days on, the recent one is past the period too.
	e.clock.Add(10 * 24 * time.Hour)
	e.drain()
	e.clock.Add(time.Hour)
	e.drain()
	if got := e.messagesOf(recent.ID); slices.Contains(got, "the new matter: persimmon") {
		t.Errorf("the next run did not erase the recent conversation: %q", got)
	}
}

// TestForget: a customer's /forget tells them to ask when self-service is
// off, asks the desk when it is "request", and erases them at once when
// it is "erase".
func TestForget(t *testing.T) {
	for _, mode := range []string{"off", "request", "erase"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, func(c *relay.Config) { c.Privacy.SelfService = mode })
			e.customer("please keep this: kumquat")
			e.drain()
			conv := e.conversation()
			res := e.act(customerDM, "u1", "forget")
			e.drain()
			desk := strings.Join(texts(e.desk.Posts(conv.Desk)), "\n")
			var attached bool
			err := e.store.InTx(context.Background(), func(tx core.Tx) error {
				_, err := tx.ContactByIdentity(core.Telegram, "u1")
				attached = err == nil
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			switch mode {
			case "off":
				if !strings.Contains(res, "ask") || !attached || strings.Contains(desk, "forgotten") {
					t.Errorf("off: answer %q, attached %v, desk:\n%s", res, attached, desk)
				}
			case "request":
				if !strings.Contains(res, "asked our team") || !attached || !strings.Contains(desk, fmt.Sprintf("!privacy erase %d", conv.ContactID)) {
					t.Errorf("request: answer %q, attached %v, desk:\n%s", res, attached, desk)
				}
			case "erase":
				if !strings.Contains(res, "erased") || attached || strings.Contains(desk, "kumquat") {
					t.Errorf("erase: answer %q, attached %v, desk:\n%s", res, attached, desk)
				}
			}
		})
	}
}
