package pace_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"cornershop/bots/bottest"
	"cornershop/bots/internal/hold"
	"cornershop/bots/internal/pace"
	"cornershop/core"
	"cornershop/core/store"
)

func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	class, after := core.Classify(err)
	if class != core.ClassRetryAfter {
		t.Fatalf("err = %v (%v), want a retry-after", err, class)
	}
	if !core.IsPaced(err) {
		t.Errorf("err = %v: a wait of our own pacing is not marked as such (core.Paced), so it is logged as a platform's 429", err)
	}
	return after
}

func TestTake(t *testing.T) {
	ctx := context.Background()
	global := rate.NewLimiter(100, 100)
	p := pace.New("test", func(string) *rate.Limiter { return rate.NewLimiter(1, 2) }, global, nil)
	for i := range 2 {
		if err := p.Take(ctx, "chat", false); err != nil {
			t.Fatalf("send %d within the burst: %v", i, err)
		}
	}
	if after := retryAfter(t, p.Take(ctx, "chat", false)); after < 900*time.Millisecond || after > time.Second {
		t.Errorf("third send deferred by %s, want about 1 s", after)
	}
	// Nothing was taken: the global budget still has 98 sends.
	if got := global.Tokens(); got < 97.9 {
		t.Errorf("global tokens after a deferred send = %.1f, want 98", got)
	}
	if err := p.Take(ctx, "other chat", false); err != nil {
		t.Errorf("another chat waited: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if class, _ := core.Classify(p.Take(cctx, "chat", true)); class != core.ClassTransient {
		t.Errorf("a cancelled wait = %v, want transient", class)
	}
}

// TestWindows: a send waits for the retry-after window its transport
// recorded under the same key.
func TestWindows(t *testing.T) {
	ctx := context.Background()
	w := hold.New(nil)
	p := pace.New("test", nil, nil, w) // pacing off: windows still hold
	if err := p.Take(ctx, "chat", false); err != nil {
		t.Fatal(err)
	}
	w.Hold("chat", 3*time.Second)
	if after := retryAfter(t, p.Take(ctx, "chat", false)); after < 2900*time.Millisecond || after > 3*time.Second {
		t.Errorf("send inside a 3 s window deferred by %s", after)
	}
	if err := p.Take(ctx, "other", false); err != nil {
		t.Errorf("a window on one chat held another: %v", err)
	}
	w.Hold("short", 20*time.Millisecond)
	if err := p.Take(ctx, "short", false); err != nil {
		t.Errorf("a window shorter than MaxWait is waited out: %v", err)
	}
}

// TestShared: two pacers (two replicas) on one PostgreSQL budget keep one
// limit between them; on a store that cannot share (SQLite) a pacer falls
// back on its own limiters.
func TestShared(t *testing.T) {
	ctx := context.Background()
	perChat := func(string) *rate.Limiter { return rate.NewLimiter(1, 2) }
	local, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "c.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	alone := pace.New("test", perChat, nil, nil)
	var reported []error
	alone.Share(local, func(err error) { reported = append(reported, err) })
	for i := range 2 {
		if err := alone.Take(ctx, "chat", false); err != nil {
			t.Fatalf("send %d within the burst, budget unavailable: %v", i, err)
		}
	}
	if after := retryAfter(t, alone.Take(ctx, "chat", false)); after < 500*time.Millisecond {
		t.Errorf("without a shared budget the third send is deferred by %s, want about 1 s", after)
	}
	if len(reported) != 1 || !errors.Is(reported[0], core.ErrUnsupported) {
		t.Errorf("the unavailable budget was reported %v, want once (then at most every 30 s)", reported)
	}

	st := bottest.Postgres(t)
	a, b := pace.New("test", perChat, nil, nil), pace.New("test", perChat, nil, nil)
	a.Share(st, nil)
	b.Share(st, nil)
	if err := a.Take(ctx, "chat", false); err != nil {
		t.Fatal(err)
	}
	if err := b.Take(ctx, "chat", false); err != nil {
		t.Fatalf("the other replica's send within the burst: %v", err)
	}
	// Each pacer alone would allow a burst of 2; together they have had it.
	if after := retryAfter(t, b.Take(ctx, "chat", false)); after < 500*time.Millisecond || after > time.Second {
		t.Errorf("the third send across both replicas deferred by %s, want about 1 s", after)
	}
	if err := a.Take(ctx, "other chat", false); err != nil {
		t.Errorf("another chat waited: %v", err)
	}
}

// TestSharedWindows: a retry-after one replica hears (its transport opens
// the window) closes the shared budget for the other replica too.
func TestSharedWindows(t *testing.T) {
	st := bottest.Postgres(t)
	ctx := context.Background()
	perChat := func(string) *rate.Limiter { return rate.NewLimiter(1, 3) }
	wa := hold.New(nil)
	a, b := pace.New("test", perChat, nil, wa), pace.New("test", perChat, nil, nil)
	a.Share(st, nil)
	b.Share(st, nil)
	if err := a.Take(ctx, "chat", false); err != nil {
		t.Fatal(err)
	}
	wa.Hold("chat", 3*time.Second) // replica a's transport got a 429
	if after := retryAfter(t, b.Take(ctx, "chat", false)); after < 2500*time.Millisecond || after > 3*time.Second {
		t.Errorf("replica b's send inside a's 3 s window deferred by %s, want about 3 s", after)
	}
	wa.Hold("method:getme", time.Minute) // not a paced key: no budget to close
	if err := b.Take(ctx, "other chat", false); err != nil {
		t.Errorf("another chat waited: %v", err)
	}
}
