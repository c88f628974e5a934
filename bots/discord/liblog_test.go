package discord

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// TestLibraryLogger: each discordgo level becomes the matching slog level,
// as one JSON record with the constant message "discordgo" and the line's
// text as "detail"; levels the logger does not want are dropped.
func TestLibraryLogger(t *testing.T) {
	tests := []struct {
		msgL int
		want string
	}{
		{discordgo.LogError, "ERROR"},
		{discordgo.LogWarning, "WARN"},
		{discordgo.LogInformational, "INFO"},
		{discordgo.LogDebug, "DEBUG"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			var buf bytes.Buffer
			log := LibraryLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
			log(tc.msgL, 1, "error reading from gateway %s websocket, %s", "wss://x", "EOF")
			var rec struct{ Level, Msg, Detail, Source string }
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("not one JSON record: %q", buf.String())
			}
			if rec.Level != tc.want || rec.Msg != "discordgo" || rec.Detail != "error reading from gateway wss://x websocket, EOF" || rec.Source == "" {
				t.Errorf("record %+v", rec)
			}
		})
	}
	var buf bytes.Buffer
	LibraryLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))(discordgo.LogInformational, 1, "called")
	if buf.Len() != 0 {
		t.Errorf("an informational line reached a warn-level logger: %q", buf.String())
	}
}
