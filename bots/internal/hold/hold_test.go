package hold

import (
	"testing"
	"time"
)

func TestWindows(t *testing.T) {
	now := time.Unix(1000, 0)
	w := New(func() time.Time { return now })
	if got := w.Left("a"); got != 0 {
		t.Fatalf("Left before any Hold = %s, want 0", got)
	}
	w.Hold("a", 2*time.Second)
	w.Hold("a", time.Second) // a shorter window does not shorten it
	w.Hold("b", 500*time.Millisecond)
	tests := []struct {
		after time.Duration
		keys  []string
		want  time.Duration
	}{
		{0, []string{"a"}, 2 * time.Second},
		{0, []string{"b", "a"}, 2 * time.Second},
		{0, []string{"b"}, 500 * time.Millisecond},
		{0, []string{"c"}, 0},
		{time.Second, []string{"a", "b"}, time.Second},
		{2 * time.Second, []string{"a"}, 0},
	}
	for _, tc := range tests {
		now = time.Unix(1000, 0).Add(tc.after)
		if got := w.Left(tc.keys...); got != tc.want {
			t.Errorf("at +%s Left(%v) = %s, want %s", tc.after, tc.keys, got, tc.want)
		}
	}
}
