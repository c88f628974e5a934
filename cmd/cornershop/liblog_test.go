package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"cornershop/config"
)

type refuse struct{}

func (refuse) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in this test")
}

// TestDiscordgoLogsReachSlog: once the service's adapters are built with
// Discord enabled, a line discordgo itself logs (here Session.Open's
// "called", which a session at the informational level writes) arrives
// in the service's logger as one JSON record, not as plain text.
func TestDiscordgoLogsReachSlog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "discord.yaml")
	yaml := "desks:\n  - name: support\n    platform: discord\n    channel: \"100\"\ndiscord:\n  enabled: true\n  application_id: \"1\"\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, envOf(map[string]string{"CORNERSHOP_DISCORD_TOKEN": "faketoken"}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if _, _, err := buildAdapters(cfg, log); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	s, err := discordgo.New("Bot faketoken")
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: refuse{}}
	s.LogLevel = discordgo.LogInformational
	if err := s.Open(); err == nil {
		t.Fatal("Open reached a gateway without a network")
	}
	first, _, _ := strings.Cut(buf.String(), "\n")
	var rec struct{ Level, Msg, Detail, Source, Platform string }
	if err := json.Unmarshal([]byte(first), &rec); err != nil {
		t.Fatalf("discordgo's line is not a JSON record: %q (%v)", buf.String(), err)
	}
	if rec.Level != "INFO" || rec.Msg != "discordgo" || rec.Detail != "called" || !strings.HasPrefix(rec.Source, "wsapi.go:") || rec.Platform != "discord" {
		t.Errorf("discordgo's line became %+v, want INFO \"discordgo\" detail \"called\" from wsapi.go, platform discord", rec)
	}
}
