package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"cornershop/core"
)

// testExportLinks: a link is used once, not after it expires, not when
// unknown; saving forgets expired links; of concurrent uses one wins; an
// erase takes the contact's links.
func testExportLinks(t *testing.T, s core.Store) {
	w := seed(t, s)
	once, late, gone := unique("hash-once-"), unique("hash-late-"), unique("hash-gone-")
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "SaveExportLink gone", tx.SaveExportLink(core.ExportLink{Hash: gone, Contact: w.contact.ID, CreatedAt: T0.Add(-2 * time.Hour), ExpiresAt: T0.Add(-time.Hour)}), nil)
		wantErr(t, "SaveExportLink", tx.SaveExportLink(core.ExportLink{Hash: once, Contact: w.contact.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}), nil)
		wantErr(t, "SaveExportLink again", tx.SaveExportLink(core.ExportLink{Hash: once, Contact: w.contact.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}), core.ErrDuplicate)
		wantErr(t, "SaveExportLink without hash", tx.SaveExportLink(core.ExportLink{Contact: w.contact.ID, ExpiresAt: T0.Add(time.Hour)}), core.ErrInvalid)
		return tx.SaveExportLink(core.ExportLink{Hash: late, Contact: w.contact.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Minute)})
	})
	inTx(t, s, func(tx core.Tx) error {
		_, _, err := tx.UseExportLink(gone, T0)
		wantErr(t, "UseExportLink of a link expired before the last save", err, core.ErrNotFound)
		l, used, err := tx.UseExportLink(once, T0.Add(time.Second))
		wantErr(t, "UseExportLink", err, nil)
		if !used || l.Contact != w.contact.ID || !l.UsedAt.Equal(T0.Add(time.Second)) || !l.ExpiresAt.Equal(T0.Add(time.Hour)) {
			t.Errorf("UseExportLink = %+v, used %v; want contact %d used at T0+1s", l, used, w.contact.ID)
		}
		l, used, err = tx.UseExportLink(once, T0.Add(2*time.Second))
		wantErr(t, "UseExportLink twice", err, nil)
		if used || !l.UsedAt.Equal(T0.Add(time.Second)) {
			t.Errorf("UseExportLink twice = %+v, used %v; want refused, used at T0+1s", l, used)
		}
		l, used, err = tx.UseExportLink(late, T0.Add(time.Minute))
		wantErr(t, "UseExportLink expired", err, nil)
		if used || !l.UsedAt.IsZero() {
			t.Errorf("UseExportLink expired = %+v, used %v; want refused, never used", l, used)
		}
		_, _, err = tx.UseExportLink(unique("hash-unknown-"), T0)
		wantErr(t, "UseExportLink unknown", err, core.ErrNotFound)
		return nil
	})

	race := unique("hash-race-")
	inTx(t, s, func(tx core.Tx) error {
		return tx.SaveExportLink(core.ExportLink{Hash: race, Contact: w.contact.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)})
	})
	const n = 4
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		wins  int
		start = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			<-start
			err := s.InTx(context.Background(), func(tx core.Tx) error {
				_, used, err := tx.UseExportLink(race, T0)
				if used {
					time.Sleep(20 * time.Millisecond) // hold the row while the others try
					mu.Lock()
					wins++
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Errorf("InTx: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d of %d concurrent transactions used the same link, want 1", wins, n)
	}

	fresh := unique("hash-fresh-")
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "SaveExportLink", tx.SaveExportLink(core.ExportLink{Hash: fresh, Contact: w.contact.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}), nil)
		_, err := tx.EraseContact(w.contact.ID, core.Erasure{Tombstone: "gone", Actor: "staff:alice", At: T0})
		return err
	})
	inTx(t, s, func(tx core.Tx) error {
		_, _, err := tx.UseExportLink(fresh, T0)
		wantErr(t, "UseExportLink after the contact's erase", err, core.ErrNotFound)
		return nil
	})
}
