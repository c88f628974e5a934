package outbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/store"
)

// TestRetryAfterLogSaysWhoAsked: a wait of cornershop's own pacing is
// logged at debug level and says it is pacing; only a platform's own
// retry-after is logged at info level, saying the platform rate limited
// the call. (A 300-message burst into one Slack channel used to log 8,000
// "platform asked to retry later" lines at info level, none of them a 429.)
func TestRetryAfterLogSaysWhoAsked(t *testing.T) {
	st, err := store.Open(t.Context(), store.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "outbox.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tests := []struct {
		name      string
		err       error
		level     string
		msgHas    string
		msgHasNot string
	}{
		{"own pacing", core.Paced(3*time.Second, errors.New("slack C1: paced to the platform's limit")), "DEBUG", "paced", "platform"},
		{"an earlier window still running", core.Paced(time.Second, errors.New("telegram sendMessage: waiting out a retry_after")), "DEBUG", "paced", "platform"},
		{"a platform's 429", core.RetryAfter(2*time.Second, errors.New("slack chat.postMessage: rate limited")), "INFO", "platform rate limited", "paced"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			w := New(st, nil, Options{Logger: log})
			outcome, _ := w.record(core.Delivery{ID: 1, Op: core.OpSend, Side: core.DeskSide, Platform: core.Slack}, nil, tc.err)
			if outcome != RateLimit {
				t.Errorf("outcome %s, want %s", outcome, RateLimit)
			}
			var line struct {
				Level, Msg string
				After      float64 `json:"after"`
			}
			first, _, _ := bytes.Cut(buf.Bytes(), []byte("\n"))
			if err := json.Unmarshal(first, &line); err != nil {
				t.Fatalf("log line %q: %v", first, err)
			}
			if line.Level != tc.level || !strings.Contains(line.Msg, tc.msgHas) || strings.Contains(line.Msg, tc.msgHasNot) {
				t.Errorf("logged %s %q, want %s containing %q and not %q", line.Level, line.Msg, tc.level, tc.msgHas, tc.msgHasNot)
			}
			if line.After == 0 {
				t.Errorf("the log line does not say how long: %s", first)
			}
		})
	}
}
