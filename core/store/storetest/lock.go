package storetest

import (
	"context"
	"testing"
	"time"

	"cornershop/core"
)

// testLockContact: a known contact locks, an unknown one is ErrNotFound;
// on a store with concurrent writers a second transaction locking the same
// contact waits for the first to end and then sees what it committed.
func testLockContact(t *testing.T, s core.Store) {
	w := seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "LockContact", tx.LockContact(w.contact.ID), nil)
		wantErr(t, "LockContact(unknown)", tx.LockContact(w.contact.ID+1000), core.ErrNotFound)
		return nil
	})
	locked, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.InTx(context.Background(), func(tx core.Tx) error {
			if err := tx.LockContact(w.contact.ID); err != nil {
				return err
			}
			close(locked)
			time.Sleep(100 * time.Millisecond)
			return tx.SetContactBlocked(w.contact.ID, true)
		})
	}()
	<-locked
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "LockContact while another holds it", tx.LockContact(w.contact.ID), nil)
		c, err := tx.Contact(w.contact.ID)
		wantErr(t, "Contact", err, nil)
		if !c.Blocked {
			t.Error("after waiting for the lock, the first transaction's change is not seen")
		}
		return nil
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
