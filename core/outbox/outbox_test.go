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

// scheduled is a Performer (nil methods unused) that gives webhook
// deliveries their own schedule.
type scheduled struct{ Performer }

func (scheduled) Schedule(d core.Delivery) (Schedule, bool) {
	if d.Op != core.OpWebhook {
		return Schedule{}, false
	}
	return Schedule{MaxAttempts: 5, BaseBackoff: time.Minute, MaxBackoff: time.Hour}, true
}

func TestSchedulerOverridesTheWorkersSchedule(t *testing.T) {
	w := New(nil, scheduled{}, Options{MaxAttempts: 12, BaseBackoff: time.Second, MaxBackoff: 10 * time.Second,
		Jitter: func(d time.Duration) time.Duration { return d }})
	tests := []struct {
		name     string
		d        core.Delivery
		attempts int
		max      int
		want     time.Duration
	}{
		{"webhook first", core.Delivery{Op: core.OpWebhook}, 0, 5, time.Minute},
		{"webhook doubles", core.Delivery{Op: core.OpWebhook}, 3, 5, 8 * time.Minute},
		{"webhook capped", core.Delivery{Op: core.OpWebhook}, 10, 5, time.Hour},
		{"send keeps the worker's", core.Delivery{Op: core.OpSend}, 3, 12, 8 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := w.schedule(tc.d)
			if s.MaxAttempts != tc.max {
				t.Errorf("MaxAttempts = %d, want %d", s.MaxAttempts, tc.max)
			}
			if got := w.backoff(s, tc.attempts); got != tc.want {
				t.Errorf("backoff = %s, want %s", got, tc.want)
			}
		})
	}
}
