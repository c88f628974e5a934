package outbox

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// records is a slog handler that keeps the messages it is given.
type records struct{ msgs *[]slog.Record }

func (h records) Enabled(_ context.Context, _ slog.Level) bool { return true }
func (h records) Handle(_ context.Context, r slog.Record) error {
	*h.msgs = append(*h.msgs, r)
	return nil
}
func (h records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h records) WithGroup(string) slog.Handler      { return h }

func TestTroubleBacksOffAndLogsSeldom(t *testing.T) {
	var got []slog.Record
	tr := trouble{log: slog.New(records{&got})}
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	now := start
	boom := errors.New("database or disk is full")
	var waits []time.Duration
	for now.Sub(start) < 20*time.Second {
		d := tr.failed(now, boom)
		waits = append(waits, d)
		now = now.Add(d)
	}
	wantWaits := []time.Duration{50, 100, 200, 400, 800, 1600, 3200, 4000, 4000}
	for i, w := range wantWaits {
		if waits[i] != w*time.Millisecond {
			t.Fatalf("wait %d = %s, want %s (all: %v)", i, waits[i], w*time.Millisecond, waits)
		}
	}
	if n := len(waits); n > 15 {
		t.Errorf("%d attempts in 20s of failures, want at most 15", n)
	}
	// One line at once, then at most one per storeLogEvery.
	if len(got) < 2 || len(got) > 5 {
		t.Fatalf("%d log lines in 20s of failures, want 2–5", len(got))
	}
	total := 0
	for _, r := range got {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "failures" {
				total += int(a.Value.Int64())
			}
			return true
		})
	}
	tr.ok()
	if got[len(got)-1].Message != "outbox claims succeed again" {
		t.Errorf("recovery not logged: last line %q", got[len(got)-1].Message)
	}
	got[len(got)-1].Attrs(func(a slog.Attr) bool {
		if a.Key == "failures" {
			total += int(a.Value.Int64())
		}
		return true
	})
	if total != len(waits) {
		t.Errorf("log lines count %d failures, want %d", total, len(waits))
	}
	if d := tr.failed(now, boom); d != storeBackoffMin {
		t.Errorf("after a success the first wait is %s, want %s", d, storeBackoffMin)
	}
}
