package relay_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

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
