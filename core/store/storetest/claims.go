package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/core"
)

func testEnqueue(t *testing.T, s core.Store) {
	w := seed(t, s)
	var m core.Message
	inTx(t, s, func(tx core.Tx) error { m = message(t, tx, w.conv.ID, "x"); return nil })
	d := core.Delivery{
		Key: unique("send:"), ConversationID: w.conv.ID, MessageID: m.ID, Emoji: "👍", Op: core.OpReact,
		Side: core.CustomerSide, Platform: core.Telegram, State: core.DeliveryPending, Attempts: 0,
		NextAttemptAt: T0.Add(time.Second), CreatedAt: T0,
	}
	inTx(t, s, func(tx core.Tx) error { return tx.Enqueue(&d) })
	if d.ID == 0 {
		t.Fatal("Enqueue left ID zero")
	}
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.Delivery(d.ID)
		wantErr(t, "Delivery", err, nil)
		if got.ID != d.ID || got.Key != d.Key || got.ConversationID != d.ConversationID || got.MessageID != d.MessageID ||
			got.Emoji != d.Emoji || got.Op != d.Op || got.Side != d.Side || got.Platform != d.Platform || got.State != core.DeliveryPending ||
			got.Attempts != 0 || !got.NextAttemptAt.Equal(d.NextAttemptAt) || !got.CreatedAt.Equal(d.CreatedAt) || !got.DoneAt.IsZero() {
			t.Errorf("delivery = %+v\nwant       %+v", got, d)
		}
		dup := d
		dup.ID = 0
		wantErr(t, "Enqueue(same key)", tx.Enqueue(&dup), core.ErrDuplicate)
		// The transaction is still usable after the duplicate.
		other := d
		other.ID, other.Key, other.MessageID, other.Op = 0, unique("open:"), 0, core.OpOpenThread
		wantErr(t, "Enqueue after a duplicate", tx.Enqueue(&other), nil)
		got, err = tx.Delivery(other.ID)
		wantErr(t, "Delivery", err, nil)
		if got.MessageID != 0 {
			t.Errorf("MessageID = %d, want 0", got.MessageID)
		}
		_, err = tx.Delivery(other.ID + 1000)
		wantErr(t, "Delivery(unknown)", err, core.ErrNotFound)
		return nil
	})
}

func testClaimOrder(t *testing.T, s core.Store) {
	a, b, c := seed(t, s), seed(t, s), seed(t, s)
	late := enqueue(t, s, a.conv.ID, core.DeskSide, T0.Add(3*time.Second))
	early := enqueue(t, s, b.conv.ID, core.DeskSide, T0.Add(time.Second))
	mid := enqueue(t, s, c.conv.ID, core.DeskSide, T0.Add(2*time.Second))
	midToo := enqueue(t, s, a.conv.ID, core.CustomerSide, T0.Add(2*time.Second))

	wantClaim(t, s, T0) // nothing due yet
	got := claim(t, s, "w", T0.Add(2*time.Second), 2, time.Minute)
	if want := []core.DeliveryID{early.ID, mid.ID}; !slices.Equal(got, want) {
		t.Fatalf("Claim(limit 2) = %v, want %v (longest due first, then id)", got, want)
	}
	wantClaim(t, s, T0.Add(10*time.Second), midToo.ID, late.ID)
	if got := claim(t, s, "w", T0.Add(time.Hour), 0, time.Minute); len(got) != 0 {
		t.Errorf("Claim(limit 0) = %v, want none", got)
	}
}

func testClaimPerConversation(t *testing.T, s core.Store) {
	w := seed(t, s)
	first := enqueue(t, s, w.conv.ID, core.DeskSide, T0.Add(5*time.Second)) // not due yet
	second := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
	third := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
	other := enqueue(t, s, w.conv.ID, core.CustomerSide, T0)

	steps := []struct {
		name   string
		now    time.Duration
		want   []core.DeliveryID
		finish core.DeliveryID
	}{
		{"a later sibling waits for an earlier one that is not due", time.Second, []core.DeliveryID{other.ID}, other.ID},
		{"one per conversation and side at once", 6 * time.Second, []core.DeliveryID{first.ID}, 0},
		{"a leased earlier sibling still blocks", 7 * time.Second, nil, first.ID},
		{"finishing the head releases the next", 8 * time.Second, []core.DeliveryID{second.ID}, second.ID},
		{"and the next", 9 * time.Second, []core.DeliveryID{third.ID}, third.ID},
		{"drained", 10 * time.Second, nil, 0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			wantClaim(t, s, T0.Add(st.now), st.want...)
			if st.finish != 0 {
				finish(t, s, st.finish, core.DeliveryDone)
			}
		})
	}
	t.Run("a failed head releases the next too", func(t *testing.T) {
		x := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
		y := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
		wantClaim(t, s, T0.Add(time.Hour), x.ID)
		finish(t, s, x.ID, core.DeliveryFailed)
		wantClaim(t, s, T0.Add(time.Hour), y.ID)
	})
}

func testLease(t *testing.T, s core.Store) {
	w := seed(t, s)
	d := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
	if got := claim(t, s, "a", T0, 10, time.Minute); !slices.Equal(got, []core.DeliveryID{d.ID}) {
		t.Fatalf("first claim = %v, want [%d]", got, d.ID)
	}
	if got := claim(t, s, "b", T0.Add(59*time.Second), 10, time.Minute); len(got) != 0 {
		t.Fatalf("claim during the lease = %v, want none", got)
	}
	if got := claim(t, s, "b", T0.Add(time.Minute), 10, time.Minute); !slices.Equal(got, []core.DeliveryID{d.ID}) {
		t.Fatalf("claim once the lease expired = %v, want [%d]", got, d.ID)
	}
	// RetryDelivery releases the lease: due again at once.
	inTx(t, s, func(tx core.Tx) error { return tx.RetryDelivery(d.ID, 0, T0.Add(time.Minute), "rate limited") })
	if got := claim(t, s, "c", T0.Add(time.Minute), 10, time.Hour); !slices.Equal(got, []core.DeliveryID{d.ID}) {
		t.Fatalf("claim after RetryDelivery = %v, want [%d]", got, d.ID)
	}
}

func testRetryAndFinish(t *testing.T, s core.Store) {
	w := seed(t, s)
	d := enqueue(t, s, w.conv.ID, core.CustomerSide, T0)
	wantClaim(t, s, T0, d.ID)
	inTx(t, s, func(tx core.Tx) error { return tx.RetryDelivery(d.ID, 1, T0.Add(2*time.Minute), "timeout") })
	wantClaim(t, s, T0.Add(2*time.Minute-time.Microsecond))
	ds, err := s.Claim(context.Background(), "w", T0.Add(2*time.Minute), 10, time.Minute)
	wantErr(t, "Claim", err, nil)
	if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].LastError != "timeout" || !ds[0].NextAttemptAt.Equal(T0.Add(2*time.Minute)) {
		t.Fatalf("claim after retry = %+v, want attempt 1, error timeout", ds)
	}
	done := T0.Add(3 * time.Minute)
	inTx(t, s, func(tx core.Tx) error { return tx.FinishDelivery(d.ID, core.DeliveryFailed, "blocked by user", done) })
	wantClaim(t, s, T0.Add(time.Hour))
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.Delivery(d.ID)
		wantErr(t, "Delivery", err, nil)
		if got.State != core.DeliveryFailed || got.LastError != "blocked by user" || !got.DoneAt.Equal(done) || got.Attempts != 1 {
			t.Errorf("finished delivery = %+v", got)
		}
		return nil
	})
	bad := []struct {
		name string
		fn   func(tx core.Tx) error
		want error
	}{
		{"finish unknown", func(tx core.Tx) error { return tx.FinishDelivery(d.ID+1000, core.DeliveryDone, "", T0) }, core.ErrNotFound},
		{"retry unknown", func(tx core.Tx) error { return tx.RetryDelivery(d.ID+1000, 1, T0, "") }, core.ErrNotFound},
		{"finish as pending", func(tx core.Tx) error { return tx.FinishDelivery(d.ID, core.DeliveryPending, "", T0) }, core.ErrInvalid},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, s.InTx(context.Background(), tc.fn), tc.want)
		})
	}
}

func testNextDue(t *testing.T, s core.Store) {
	ctx := context.Background()
	_, err := s.NextDue(ctx)
	wantErr(t, "NextDue(empty)", err, core.ErrNotFound)
	a, b := seed(t, s), seed(t, s)
	d1 := enqueue(t, s, a.conv.ID, core.DeskSide, T0.Add(10*time.Second))
	enqueue(t, s, a.conv.ID, core.DeskSide, T0) // behind d1: not counted
	d3 := enqueue(t, s, b.conv.ID, core.DeskSide, T0.Add(20*time.Second))
	wantNext := func(want time.Time) {
		t.Helper()
		got, err := s.NextDue(ctx)
		wantErr(t, "NextDue", err, nil)
		if !got.Equal(want) {
			t.Fatalf("NextDue = T0%+v, want T0%+v", got.Sub(T0), want.Sub(T0))
		}
	}
	wantNext(T0.Add(10 * time.Second))
	// A leased delivery is due when its lease ends.
	wantClaim(t, s, T0.Add(10*time.Second), d1.ID) // lease 1m
	wantNext(T0.Add(20 * time.Second))
	finish(t, s, d3.ID, core.DeliveryDone)
	wantNext(T0.Add(70 * time.Second))
}

func testConcurrentClaimers(t *testing.T, s core.Store) {
	const convs, per, claimers = 30, 4, 4
	var all []core.DeliveryID
	for range convs {
		w := seed(t, s)
		for range per {
			all = append(all, enqueue(t, s, w.conv.ID, core.DeskSide, T0).ID)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		mu     sync.Mutex
		seen   = map[core.DeliveryID]string{}
		byConv = map[core.ConversationID][]core.DeliveryID{}
		done   atomic.Int64
		wg     sync.WaitGroup
	)
	for i := range claimers {
		owner := fmt.Sprintf("claimer-%d", i)
		wg.Go(func() {
			for done.Load() < int64(len(all)) && ctx.Err() == nil {
				ds, err := s.Claim(ctx, owner, T0, 3, time.Hour)
				if err != nil {
					t.Errorf("%s: Claim: %v", owner, err)
					return
				}
				for _, d := range ds {
					mu.Lock()
					if prev, ok := seen[d.ID]; ok {
						t.Errorf("delivery %d claimed by %s and %s", d.ID, prev, owner)
					}
					seen[d.ID] = owner
					byConv[d.ConversationID] = append(byConv[d.ConversationID], d.ID)
					mu.Unlock()
					if err := s.InTx(ctx, func(tx core.Tx) error { return tx.FinishDelivery(d.ID, core.DeliveryDone, "", T0) }); err != nil {
						t.Errorf("%s: FinishDelivery: %v", owner, err)
						return
					}
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("claimers did not drain the outbox: %d of %d delivered", done.Load(), len(all))
	}
	if len(seen) != len(all) {
		t.Errorf("claimed %d deliveries, want %d", len(seen), len(all))
	}
	for conv, ids := range byConv {
		if !slices.IsSorted(ids) {
			t.Errorf("conversation %d delivered out of order: %v", conv, ids)
		}
	}
}

// testMaybeSent: a delivery claimed again without its earlier attempt's
// outcome recorded (the lease ran out: its process died) may have landed;
// one released by RetryDelivery has not.
func testMaybeSent(t *testing.T, s core.Store) {
	w := seed(t, s)
	d := enqueue(t, s, w.conv.ID, core.DeskSide, T0)
	maybe := func(owner string, at time.Time) bool {
		t.Helper()
		got, err := s.Claim(context.Background(), owner, at, 10, time.Minute)
		if err != nil || len(got) != 1 || got[0].ID != d.ID {
			t.Fatalf("claim by %s = %v, %v; want [%d]", owner, got, err, d.ID)
		}
		return got[0].MaybeSent
	}
	if maybe("a", T0) {
		t.Error("first claim: MaybeSent, want not")
	}
	if !maybe("b", T0.Add(time.Minute)) {
		t.Error("claim after a lease ran out: not MaybeSent, want MaybeSent")
	}
	inTx(t, s, func(tx core.Tx) error { return tx.RetryDelivery(d.ID, 1, T0.Add(time.Minute), "503") })
	if maybe("c", T0.Add(time.Minute)) {
		t.Error("claim after RetryDelivery recorded the outcome: MaybeSent, want not")
	}
}
