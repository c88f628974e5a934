package outbox

import (
	"testing"
	"time"

	"cornershop/core"
)

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	w := New(nil, nil, Options{BaseBackoff: time.Second, MaxBackoff: 10 * time.Second, Jitter: func(d time.Duration) time.Duration { return d }})
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{0, time.Second},
		{1, 2 * time.Second},
		{2, 4 * time.Second},
		{3, 8 * time.Second},
		{4, 10 * time.Second},
		{30, 10 * time.Second},
	}
	for _, tc := range tests {
		if got := w.backoff(w.schedule(core.Delivery{}), tc.attempts); got != tc.want {
			t.Errorf("backoff(%d) = %s, want %s", tc.attempts, got, tc.want)
		}
	}
}

func TestDefaultJitterStaysWithinTwentyPercent(t *testing.T) {
	w := New(nil, nil, Options{BaseBackoff: 10 * time.Second, MaxBackoff: time.Hour})
	for range 1000 {
		if d := w.backoff(w.schedule(core.Delivery{}), 0); d < 8*time.Second || d > 12*time.Second {
			t.Fatalf("jittered backoff %s outside 10s ± 20%%", d)
		}
	}
}
