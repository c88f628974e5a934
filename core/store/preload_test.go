package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
)

// preloader is the store transaction's Preload, which the relay calls
// before a batch of customer messages.
type preloader interface {
	Preload(inbound []core.InboundKey, loads []core.LoadKey) error
}

// TestPreloadedBatch: on PostgreSQL a batch's reads come from one preload
// and its messages are written with their ref and delivery in one
// statement (preload.go, writeback.go); what the transaction reads and
// writes must be what it would be without: the same answers, found and not
// found; a conversation created in the batch is found by the next
// LatestConversation; a message held back is there for any later
// statement and after the commit; a delivery key taken answers
// ErrDuplicate with the message and ref written; a ref another
// transaction recorded fails the write with an error that is not
// ErrDuplicate (so the batch is retried message by message). On SQLite
// Preload does nothing and the same sequence holds.
func TestPreloadedBatch(t *testing.T) {
	for _, driver := range []string{store.DriverSQLite, store.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t, driver)
			place := core.Place{Platform: core.Telegram, Chat: "100"}
			var known core.Contact
			var conv core.Conversation
			mustTx(t, s, func(tx core.Tx) error {
				known = core.Contact{Name: "Ada", Identities: []core.Identity{{Platform: core.Telegram, UserID: "100", Handle: "ada"}}}
				if err := tx.CreateContact(&known); err != nil {
					return err
				}
				conv = core.Conversation{ContactID: known.ID, Customer: place, Status: core.StatusOpen}
				if err := tx.CreateConversation(&conv); err != nil {
					return err
				}
				m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "first"}
				if err := tx.CreateMessage(&m); err != nil {
					return err
				}
				return tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: core.Telegram, Chat: "100", PlatformID: "1"})
			})
			keys := []core.InboundKey{
				{Place: place, ID: "1", UserID: "100"},                                            // recorded already
				{Place: place, ID: "2", UserID: "100"},                                            // new message, known contact
				{Place: core.Place{Platform: core.Telegram, Chat: "200"}, ID: "1", UserID: "200"}, // unknown contact
			}
			var held core.Message
			var d core.Delivery
			mustTx(t, s, func(tx core.Tx) error {
				if err := tx.(preloader).Preload(keys, nil); err != nil {
					return err
				}
				if _, err := tx.RefByPlatformID(core.Telegram, "100", "1"); err != nil {
					t.Errorf("recorded ref: %v", err)
				}
				if _, err := tx.RefByPlatformID(core.Telegram, "100", "2"); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("new ref: %v, want ErrNotFound", err)
				}
				c, err := tx.ContactByIdentity(core.Telegram, "100")
				if err != nil || c.ID != known.ID || len(c.Identities) != 1 || c.Identities[0].Handle != "ada" {
					t.Errorf("known contact = %+v, %v", c, err)
				}
				if _, err := tx.ContactByIdentity(core.Telegram, "200"); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("unknown contact: %v, want ErrNotFound", err)
				}
				if got, err := tx.LatestConversation(known.ID, place); err != nil || got.ID != conv.ID {
					t.Errorf("latest conversation = %d, %v; want %d", got.ID, err, conv.ID)
				}
				if _, err := tx.LatestSurvey(known.ID); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("latest survey: %v, want ErrNotFound", err)
				}
				// The message, its ref and its delivery, as the relay records them.
				held = core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "second"}
				if err := tx.CreateMessage(&held); err != nil {
					return err
				}
				if err := tx.AddRef(core.Ref{MessageID: held.ID, Side: core.CustomerSide, Source: true, Platform: core.Telegram, Chat: "100", PlatformID: "2"}); err != nil {
					return err
				}
				if _, err := tx.RefByPlatformID(core.Telegram, "100", "2"); err != nil {
					t.Errorf("the ref just added: %v", err)
				}
				d = core.Delivery{Key: "send:desk:held", ConversationID: conv.ID, MessageID: held.ID, Op: core.OpSend, Side: core.DeskSide, Platform: core.Slack}
				if err := tx.Enqueue(&d); err != nil || d.ID == 0 {
					t.Errorf("enqueue = id %d, %v", d.ID, err)
				}
				// A message held back is there for the next statement of any kind.
				other := core.Message{ConversationID: conv.ID, Direction: core.Note, Text: "a note"}
				if err := tx.CreateMessage(&other); err != nil {
					return err
				}
				if refs, err := tx.Refs(held.ID, core.CustomerSide); err != nil || len(refs) != 1 {
					t.Errorf("refs of the held message = %v, %v", refs, err)
				}
				if got, err := tx.Message(other.ID); err != nil || got.Text != "a note" {
					t.Errorf("message %d = %+v, %v", other.ID, got, err)
				}
				// A conversation started in the batch is the latest.
				c2 := core.Conversation{ContactID: known.ID, Customer: place, Status: core.StatusOpen}
				if err := tx.CreateConversation(&c2); err != nil {
					return err
				}
				if got, err := tx.LatestConversation(known.ID, place); err != nil || got.ID != c2.ID {
					t.Errorf("latest conversation after creating %d = %d, %v", c2.ID, got.ID, err)
				}
				// A contact created in the batch is found by its identity,
				// preloaded as absent.
				bea := core.Contact{Name: "Bea", Identities: []core.Identity{{Platform: core.Telegram, UserID: "200"}}}
				if err := tx.CreateContact(&bea); err != nil {
					return err
				}
				if got, err := tx.ContactByIdentity(core.Telegram, "200"); err != nil || got.ID != bea.ID {
					t.Errorf("contact by identity after creating %d = %d, %v", bea.ID, got.ID, err)
				}
				return nil
			})
			// A delivery key taken: outside a batch (and on SQLite) Enqueue
			// answers ErrDuplicate at once, the message still written; in a
			// PostgreSQL batch the delivery waits with its message, and the
			// write fails the batch with an error that is not ErrDuplicate
			// (so the relay retries it job by job and gets the answer).
			for _, batch := range []bool{false, true} {
				var late core.Message
				err := s.InTx(ctx, func(tx core.Tx) error {
					if batch {
						if err := tx.(preloader).Preload([]core.InboundKey{{Place: place, ID: "9", UserID: "100"}}, nil); err != nil {
							return err
						}
					}
					late = core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "third"}
					if err := tx.CreateMessage(&late); err != nil {
						return err
					}
					dup := core.Delivery{Key: "send:desk:held", ConversationID: conv.ID, MessageID: late.ID, Op: core.OpSend, Side: core.DeskSide, Platform: core.Slack}
					err := tx.Enqueue(&dup)
					if batch && driver == store.DriverPostgres {
						return err // nil: it waits
					}
					if !errors.Is(err, core.ErrDuplicate) {
						t.Errorf("enqueue of a taken key (batch %v): %v, want ErrDuplicate", batch, err)
					}
					if _, err := tx.Message(late.ID); err != nil {
						t.Errorf("the message whose delivery key was taken: %v", err)
					}
					return nil
				})
				if batch && driver == store.DriverPostgres {
					if err == nil || errors.Is(err, core.ErrDuplicate) {
						t.Errorf("a batch whose held delivery's key was taken: %v; want an error that is not ErrDuplicate", err)
					}
				} else if err != nil {
					t.Fatal(err)
				}
			}
			mustTx(t, s, func(tx core.Tx) error {
				if m, err := tx.Message(held.ID); err != nil || m.Text != "second" {
					t.Errorf("after the commit, message %d = %+v, %v", held.ID, m, err)
				}
				if got, err := tx.Delivery(d.ID); err != nil || got.MessageID != held.ID {
					t.Errorf("after the commit, delivery %d = %+v, %v", d.ID, got, err)
				}
				return nil
			})
			// Delivery loads: the same conversation, contact, message and
			// refs as read one by one; an outcome (a deliveries write) keeps
			// them; a ref added is among the refs read next.
			var want struct {
				conv    core.Conversation
				contact core.Contact
				msg     core.Message
				refs    []core.Ref
			}
			mustTx(t, s, func(tx core.Tx) error {
				var err error
				if want.conv, err = tx.Conversation(conv.ID); err != nil {
					return err
				}
				if want.contact, err = tx.Contact(known.ID); err != nil {
					return err
				}
				if want.msg, err = tx.Message(held.ID); err != nil {
					return err
				}
				want.refs, err = tx.Refs(held.ID, core.CustomerSide)
				return err
			})
			mustTx(t, s, func(tx core.Tx) error {
				loads := []core.LoadKey{{Conversation: conv.ID, Message: held.ID, Side: core.CustomerSide}, {Conversation: conv.ID, Side: core.DeskSide}}
				if err := tx.(preloader).Preload(nil, loads); err != nil {
					return err
				}
				for round := range 2 {
					if got, err := tx.Conversation(conv.ID); err != nil || got.ID != want.conv.ID || got.Status != want.conv.Status || got.ContactID != want.conv.ContactID {
						t.Errorf("round %d: conversation = %+v, %v; want %+v", round, got, err, want.conv)
					}
					if got, err := tx.Contact(known.ID); err != nil || got.Name != want.contact.Name || len(got.Identities) != len(want.contact.Identities) {
						t.Errorf("round %d: contact = %+v, %v; want %+v", round, got, err, want.contact)
					}
					if got, err := tx.Message(held.ID); err != nil || got.Text != want.msg.Text || got.ConversationID != want.msg.ConversationID {
						t.Errorf("round %d: message = %+v, %v; want %+v", round, got, err, want.msg)
					}
					if got, err := tx.Refs(held.ID, core.CustomerSide); err != nil || len(got) != len(want.refs) || len(got) != 1 || got[0] != want.refs[0] {
						t.Errorf("round %d: refs = %+v, %v; want %+v", round, got, err, want.refs)
					}
					if got, err := tx.Refs(held.ID, core.DeskSide); err != nil || len(got) != 0 {
						t.Errorf("round %d: desk refs = %+v, %v; want none", round, got, err)
					}
					// An outcome between two loads.
					if err := tx.FinishDelivery(d.ID, core.DeliveryDone, "", T0); err != nil {
						return err
					}
				}
				if err := tx.AddRef(core.Ref{MessageID: held.ID, Side: core.DeskSide, Platform: core.Slack, Chat: "C1", PlatformID: "p1"}); err != nil {
					return err
				}
				if got, err := tx.Refs(held.ID, core.DeskSide); err != nil || len(got) != 1 || got[0].PlatformID != "p1" {
					t.Errorf("desk refs after AddRef = %+v, %v", got, err)
				}
				text := "second, edited"
				if err := tx.UpdateMessage(held.ID, core.MessagePatch{Text: &text}); err != nil {
					return err
				}
				if got, err := tx.Message(held.ID); err != nil || got.Text != text {
					t.Errorf("message after its edit = %+v, %v", got, err)
				}
				return nil
			})
			// Outcomes in a batch: written by the commit; one for a delivery
			// that is not there fails the batch, with no sentinel on
			// PostgreSQL (where it waited for the commit), ErrNotFound at
			// once on SQLite.
			mustTx(t, s, func(tx core.Tx) error {
				if got, err := tx.Delivery(d.ID); err != nil || got.State != core.DeliveryDone {
					t.Errorf("delivery %d after the batch's outcomes = %+v, %v; want done", d.ID, got, err)
				}
				return nil
			})
			// Delivered copies' refs in a batch wait with the outcomes (on
			// PostgreSQL): each later read finds them, one already taken is
			// dropped without failing the batch, and the commit writes the
			// rest beside the outcome.
			mustTx(t, s, func(tx core.Tx) error {
				if err := tx.(preloader).Preload(nil, nil); err != nil {
					return err
				}
				for _, id := range []string{"p2", "p1"} { // p1: recorded in the batch above
					err := tx.AddRef(core.Ref{MessageID: held.ID, Side: core.DeskSide, Platform: core.Slack, Chat: "C1", PlatformID: id, Part: 1})
					if err != nil && (driver == store.DriverPostgres || !errors.Is(err, core.ErrDuplicate)) {
						return fmt.Errorf("add delivered ref %s: %w", id, err)
					}
				}
				if got, err := tx.RefByPlatformID(core.Slack, "C1", "p2"); err != nil || got.MessageID != held.ID {
					t.Errorf("held delivered ref read back = %+v, %v", got, err)
				}
				return tx.FinishDelivery(d.ID, core.DeliveryFailed, "late", T0)
			})
			mustTx(t, s, func(tx core.Tx) error {
				got, err := tx.Refs(held.ID, core.DeskSide)
				if ids := refIDs(got); err != nil || !slices.Equal(ids, []string{"p1", "p2"}) {
					t.Errorf("desk refs after the batch = %v, %v; want p1 once, p2", ids, err)
				}
				if got, err := tx.Delivery(d.ID); err != nil || got.State != core.DeliveryFailed || got.LastError != "late" {
					t.Errorf("delivery after the refs' batch = %+v, %v; want failed, late", got, err)
				}
				return nil
			})
			err := s.InTx(ctx, func(tx core.Tx) error {
				if err := tx.(preloader).Preload(nil, nil); err != nil {
					return err
				}
				return tx.FinishDelivery(999_999, core.DeliveryDone, "", T0)
			})
			switch {
			case err == nil:
				t.Error("finishing a delivery that is not there succeeded")
			case driver == store.DriverPostgres && errors.Is(err, core.ErrNotFound):
				t.Errorf("a batch's missing outcome answered the sentinel: %v", err)
			case driver == store.DriverSQLite && !errors.Is(err, core.ErrNotFound):
				t.Errorf("finishing a delivery that is not there: %v, want ErrNotFound", err)
			}
			if driver != store.DriverPostgres {
				return // one writer: no other transaction can race this one
			}
			// The lock, then the look again: a conversation another
			// transaction started after the preload is what the batch finds
			// once it holds the contact's lock.
			mustTx(t, s, func(tx core.Tx) error {
				if err := tx.(preloader).Preload([]core.InboundKey{{Place: place, ID: "5", UserID: "100"}}, nil); err != nil {
					return err
				}
				before, err := tx.LatestConversation(known.ID, place)
				if err != nil {
					return err
				}
				var raced core.Conversation
				mustTx(t, s, func(tx core.Tx) error {
					raced = core.Conversation{ContactID: known.ID, Customer: place, Status: core.StatusOpen}
					return tx.CreateConversation(&raced)
				})
				if err := tx.LockContact(known.ID); err != nil {
					return err
				}
				if got, err := tx.LatestConversation(known.ID, place); err != nil || got.ID != raced.ID {
					t.Errorf("latest conversation after the lock = %d, %v; want %d, started by another transaction (before the lock: %d)", got.ID, err, raced.ID, before.ID)
				}
				return nil
			})
			// A ref recorded by another transaction after the preload.
			err = s.InTx(ctx, func(tx core.Tx) error {
				if err := tx.(preloader).Preload([]core.InboundKey{{Place: place, ID: "3", UserID: "100"}, {Place: place, ID: "4", UserID: "100"}}, nil); err != nil {
					return err
				}
				if _, err := tx.RefByPlatformID(core.Telegram, "100", "3"); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("ref 3 before: %v", err)
				}
				mustTx(t, s, func(tx core.Tx) error {
					m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "raced"}
					if err := tx.CreateMessage(&m); err != nil {
						return err
					}
					return tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: core.Telegram, Chat: "100", PlatformID: "3"})
				})
				m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Text: "raced too"}
				if err := tx.CreateMessage(&m); err != nil {
					return err
				}
				err := tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: core.Telegram, Chat: "100", PlatformID: "3"})
				if err == nil {
					err = tx.Enqueue(&core.Delivery{Key: "send:desk:raced", ConversationID: conv.ID, MessageID: m.ID, Op: core.OpSend, Side: core.DeskSide, Platform: core.Slack})
				}
				return err
			})
			if err == nil || errors.Is(err, core.ErrDuplicate) {
				t.Errorf("recording a message whose ref another transaction took: %v; want an error that is not ErrDuplicate", err)
			}
		})
	}
}

// T0 is a fixed time for outcomes.
var T0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func openStore(t *testing.T, driver string) *store.Store {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "batch.db")
	if driver == store.DriverPostgres {
		dsn = pgSchema(t)
	}
	s, err := store.Open(context.Background(), store.Options{Driver: driver, DSN: dsn, AutoMigrate: true})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustTx(t *testing.T, s *store.Store, fn func(tx core.Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func refIDs(refs []core.Ref) []string {
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.PlatformID
	}
	return ids
}
