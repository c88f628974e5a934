package pace_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"cornershop/bots/internal/pace"
	"cornershop/core"
)

func TestTake(t *testing.T) {
	ctx := context.Background()
	chat, global := rate.NewLimiter(1, 2), rate.NewLimiter(100, 100)
	for i := range 2 {
		if err := pace.Take(ctx, "test", false, chat, global); err != nil {
			t.Fatalf("send %d within the burst: %v", i, err)
		}
	}
	err := pace.Take(ctx, "test", false, chat, global)
	class, after := core.Classify(err)
	if class != core.ClassRetryAfter || after < 900*time.Millisecond || after > time.Second {
		t.Fatalf("third send = %v (%v after %s), want a retry-after of about 1 s", err, class, after)
	}
	// Nothing was taken: the global budget still has 98 sends.
	if got := global.Tokens(); got < 97.9 {
		t.Errorf("global tokens after a deferred send = %.1f, want 98", got)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if class, _ := core.Classify(pace.Take(cctx, "test", true, chat)); class != core.ClassTransient {
		t.Errorf("a cancelled wait = %v, want transient", class)
	}
}
