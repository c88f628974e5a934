package discordfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord/discordfake"
)

// start runs an emulator and a discordgo session pointed at it.
func start(t testing.TB, o discordfake.Options) (*discordfake.Server, *discordgo.Session) {
	t.Helper()
	s, err := discordfake.Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	dg, err := discordgo.New("Bot " + s.Token())
	if err != nil {
		t.Fatal(err)
	}
	dg.Client = s.HTTPClient()
	dg.ShouldRetryOnRateLimit = false
	dg.LogLevel = -1
	return s, dg
}

// wantCode checks that err is a Discord REST error with code (and, when
// field is set, an Invalid Form Body error tree naming field with
// errCode).
func wantCode(t testing.TB, err error, code int, field, errCode string) {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Message == nil || re.Message.Code != code {
		t.Fatalf("error = %v, want Discord code %d", err, code)
	}
	if field == "" {
		return
	}
	var body struct {
		Errors map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(re.ResponseBody, &body); err != nil {
		t.Fatal(err)
	}
	node := any(body.Errors)
	for _, p := range strings.Split(field, ".") {
		m, _ := node.(map[string]any)
		node = m[p]
	}
	m, _ := node.(map[string]any)
	list, _ := m["_errors"].([]any)
	if len(list) == 0 || list[0].(map[string]any)["code"] != errCode {
		t.Fatalf("errors = %s, want %s at %s", re.ResponseBody, errCode, field)
	}
}

func wait(t testing.TB, s *discordfake.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

var none = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
