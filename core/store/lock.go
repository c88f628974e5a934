package store

import (
	"fmt"

	"cornershop/core"
)

// LockContact takes the contact's row lock on PostgreSQL (FOR UPDATE);
// SQLite has one writer, so transactions take turns already.
func (t *tx) LockContact(id core.ContactID) error {
	// What the lock guards is read again from the database: the contact's
	// conversations leave the read-ahead.
	return t.keepAhead(func() error { return t.lockContact(id) }, func(ra *readAhead) {
		for k := range ra.conv {
			if k.contact == int64(id) {
				delete(ra.conv, k)
			}
		}
	})
}

func (t *tx) lockContact(id core.ContactID) error {
	q := `SELECT id FROM contacts WHERE id = ?`
	if t.s.driver == DriverPostgres {
		q += ` FOR UPDATE`
	}
	var got []int64
	if err := t.db.Raw(q, int64(id)).Scan(&got).Error; err != nil {
		return mapErr("lock contact", err)
	}
	if len(got) == 0 {
		return fmt.Errorf("lock contact %d: %w", id, core.ErrNotFound)
	}
	return nil
}
