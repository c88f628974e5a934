package store

import (
	"testing"
	"time"
)

func TestEscalation(t *testing.T) {
	const frame = 4096 + 24
	over := int64(walRestartAt/frame + 1)
	cases := []struct {
		name  string
		st    walState
		grew  int64
		still time.Duration
		want  string
	}{
		{"small and busy", walState{frames: 100, done: 90}, 10, 0, ""},
		{"over and growing", walState{frames: over, done: over - 5}, 50, 0, "RESTART"},
		{"over, nothing new since the restart", walState{frames: over, done: over}, 0, 300 * time.Millisecond, ""},
		{"idle and copied", walState{frames: over, done: over}, 0, walIdleAfter, "TRUNCATE"},
		{"idle, a reader keeps frames uncopied", walState{frames: 100, done: 60}, 0, 2 * walIdleAfter, ""},
		{"idle and empty", walState{}, 0, 2 * walIdleAfter, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := escalation(tc.st, frame, tc.grew, tc.still); got != tc.want {
				t.Errorf("escalation(%+v, grew %d, still %s) = %q, want %q", tc.st, tc.grew, tc.still, got, tc.want)
			}
		})
	}
}
