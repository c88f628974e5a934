package slackfake_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"cornershop/bots/slack/slackfake"
)

func start(t *testing.T, o slackfake.Options) (*slackfake.Server, *slack.Client) {
	t.Helper()
	s, err := slackfake.Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, slack.New(s.BotToken(), slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(s.AppToken()))
}

func TestAuthAndVoice(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	desk, _, _, _, _ := s.SeedDemo()
	at, err := api.AuthTest()
	if err != nil || at.UserID != s.BotUserID() || at.BotID == "" {
		t.Fatalf("auth.test = %+v, %v", at, err)
	}
	_, err = slack.New("xoxb-wrong", slack.OptionAPIURL(s.APIURL())).AuthTest()
	if err == nil || err.Error() != "invalid_auth" {
		t.Errorf("bad token: %v", err)
	}
	_, root, err := api.PostMessage(desk.ID, slack.MsgOptionText("card", false))
	if err != nil {
		t.Fatal(err)
	}
	_, ts, err := api.PostMessage(desk.ID, slack.MsgOptionText("Hi <!channel> & co", true), slack.MsgOptionTS(root),
		slack.MsgOptionUsername("Alice Martin"), slack.MsgOptionIconURL("https://example.com/a.png"))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Messages(desk.ID, root)
	if len(got) != 2 || got[1].TS != ts || got[1].ThreadTS != root || got[1].Username != "Alice Martin" || got[1].IconURL != "https://example.com/a.png" {
		t.Fatalf("thread = %+v", got)
	}
	if got[1].Text != "Hi &lt;!channel&gt; &amp; co" {
		t.Errorf("escaped text = %q", got[1].Text)
	}
	if _, _, err := api.PostMessage("CNOPE", slack.MsgOptionText("x", false)); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("unknown channel: %v", err)
	}
	if _, _, err := api.PostMessage(desk.ID, slack.MsgOptionText("x", false), slack.MsgOptionTS("1.000000")); err == nil || err.Error() != "thread_not_found" {
		t.Errorf("unknown thread: %v", err)
	}
	if _, _, _, err := api.UpdateMessage(desk.ID, "1.2", slack.MsgOptionText("x", false)); err == nil || err.Error() != "message_not_found" {
		t.Errorf("update unknown: %v", err)
	}
	if _, _, _, err := api.UpdateMessage(desk.ID, ts, slack.MsgOptionText("edited", false)); err != nil {
		t.Errorf("update: %v", err)
	}
	if _, _, err := api.DeleteMessage(desk.ID, ts); err != nil {
		t.Errorf("delete: %v", err)
	}
	if got := s.Messages(desk.ID, root); got[1].Text != "edited" || !got[1].Deleted {
		t.Errorf("after update and delete: %+v", got[1])
	}
}

func TestUsernameNeedsCustomizeScope(t *testing.T) {
	s, api := start(t, slackfake.Options{Scopes: []string{"chat:write"}})
	desk, _, _, _, _ := s.SeedDemo()
	if _, _, err := api.PostMessage(desk.ID, slack.MsgOptionText("x", false), slack.MsgOptionUsername("Alice")); err != nil {
		t.Fatal(err)
	}
	if got := s.Messages(desk.ID, ""); got[0].Username != "" {
		t.Errorf("username override applied without chat:write.customize: %q", got[0].Username)
	}
	err := api.AddReaction("thumbsup", slack.ItemRef{Channel: desk.ID, Timestamp: s.Messages(desk.ID, "")[0].TS})
	if err == nil || !strings.Contains(err.Error(), "missing_scope") {
		t.Errorf("reaction without scope: %v", err)
	}
}

func TestRateLimitAndFaults(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	desk, _, _, _, _ := s.SeedDemo()
	s.RateLimitNext("chat.postMessage", 1, 3)
	_, _, err := api.PostMessage(desk.ID, slack.MsgOptionText("x", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
		t.Fatalf("429 = %v", err)
	}
	if _, _, err := api.PostMessage(desk.ID, slack.MsgOptionText("x", false)); err == nil {
		t.Error("a post inside the Retry-After window was accepted")
	}
	if s.Violations() != 1 {
		t.Errorf("violations = %d", s.Violations())
	}
	s.FailNext("users.info", 1, 503)
	if _, err := api.GetUserInfo("U1"); err == nil {
		t.Error("injected 503 did not fail")
	}
}

func TestUsersAndFiles(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	desk, alice, _, _, _ := s.SeedDemo()
	u, err := api.GetUserInfo(alice.ID)
	if err != nil || u.Profile.DisplayName != "Alice Martin" || u.Profile.Image192 == "" {
		t.Fatalf("users.info = %+v, %v", u, err)
	}
	members, _, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: desk.ID})
	if err != nil || len(members) != 3 {
		t.Errorf("members = %v, %v", members, err)
	}
	data := []byte("label PDF bytes")
	f, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{Reader: strings.NewReader(string(data)), Filename: "label.pdf", FileSize: len(data), Channel: desk.ID, InitialComment: "your label"})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := s.FileData(f.ID)
	if !ok || string(got.Data) != string(data) {
		t.Fatalf("uploaded = %q, %v", got.Data, ok)
	}
	msgs := s.BotMessages(desk.ID, "")
	if len(msgs) != 1 || msgs[0].Text != "your label" || len(msgs[0].Files) != 1 {
		t.Errorf("file share message = %+v", msgs)
	}
	m, err := s.Upload(desk.ID, alice, "photo.png", []byte("png"), "look", "")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/files/"+m.Files[0], nil)
	req.Header.Set("Authorization", "Bearer "+s.BotToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "png" {
		t.Errorf("url_private = %q", body)
	}
}

func TestSocketModeEventsAcksAndRedelivery(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	desk, alice, _, _, _ := s.SeedDemo()
	sm := socketmode.New(api)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() { _ = sm.RunContext(ctx) }()
	if err := s.WaitFor(ctx, func() bool { return s.Connected() == 1 }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Post(desk.ID, alice, "first", ""); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	ackNext := false
	for len(seen) < 2 {
		select {
		case <-ctx.Done():
			t.Fatalf("events seen: %q", seen)
		case evt := <-sm.Events:
			if evt.Type != socketmode.EventTypeEventsAPI {
				continue
			}
			ev := evt.Data.(slackevents.EventsAPIEvent)
			me, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
			if !ok {
				continue
			}
			mu.Lock()
			seen = append(seen, me.Text)
			mu.Unlock()
			// The first delivery is not acknowledged: Slack sends it again.
			if ackNext {
				sm.Ack(*evt.Request)
			}
			ackNext = true
		}
	}
	if seen[0] != "first" || seen[1] != "first" {
		t.Errorf("deliveries = %q, want the unacknowledged event twice", seen)
	}
	if err := s.WaitFor(ctx, func() bool { return s.Unacked() == 0 }); err != nil {
		t.Fatal("ack not recorded")
	}
	s.Disconnect()
	if err := s.WaitFor(ctx, func() bool { return s.Connected() == 1 }); err != nil {
		t.Fatal("client did not reconnect after a refresh disconnect")
	}
	id := s.Slash(desk.ID, alice, "/cornershop", "close")
	for {
		select {
		case <-ctx.Done():
			t.Fatal("no slash command envelope")
		case evt := <-sm.Events:
			if evt.Type != socketmode.EventTypeSlashCommand {
				continue
			}
			cmd := evt.Data.(slack.SlashCommand)
			if cmd.Command != "/cornershop" || cmd.Text != "close" {
				t.Errorf("slash = %+v", cmd)
			}
			sm.Ack(*evt.Request, map[string]any{"text": "Closed."})
			if err := s.WaitFor(ctx, func() bool { return strings.Contains(s.AckPayloads()[id], "Closed.") }); err != nil {
				t.Errorf("ack payload = %q", s.AckPayloads()[id])
			}
			return
		}
	}
}

func TestEventsAPISignedPushesAndRetries(t *testing.T) {
	var mu sync.Mutex
	var got []string
	var retries []string
	fail := 1
	var s *slackfake.Server
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v, err := slack.NewSecretsVerifier(r.Header, s.SigningSecret())
		if err == nil {
			_, _ = v.Write(body)
			err = v.Ensure()
		}
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		retries = append(retries, r.Header.Get("X-Slack-Retry-Num"))
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		got = append(got, string(body))
	}))
	defer hook.Close()
	s, _ = start(t, slackfake.Options{EventsURL: hook.URL + "/slack/events"})
	desk, alice, _, _, _ := s.SeedDemo()
	if _, err := s.Post(desk.ID, alice, "pushed", ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 }); err != nil {
		t.Fatal("no successful push")
	}
	if !strings.Contains(got[0], `"text":"pushed"`) || strings.Join(retries, ",") != ",1" {
		t.Errorf("push = %s, retry headers %q", got[0], retries)
	}
	ev, err := slackevents.ParseEvent([]byte(got[0]), slackevents.OptionNoVerifyToken())
	if err != nil || ev.Type != slackevents.CallbackEvent {
		t.Errorf("ParseEvent = %+v, %v", ev, err)
	}
}

// TestSocketModeRedeliversInOrder: envelopes dispatched while no client is
// connected (a replica died) reach the next connection, all of them and in
// the order they were first sent.
func TestSocketModeRedeliversInOrder(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	desk, alice, _, _, _ := s.SeedDemo()
	var want []string
	for i := range 20 {
		text := fmt.Sprintf("m%02d", i)
		if _, err := s.Post(desk.ID, alice, text, ""); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
	}
	sm := socketmode.New(api)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() { _ = sm.RunContext(ctx) }()
	var seen []string
	for len(seen) < len(want) {
		select {
		case <-ctx.Done():
			t.Fatalf("events seen: %q", seen)
		case evt := <-sm.Events:
			if evt.Type != socketmode.EventTypeEventsAPI {
				continue
			}
			if me, ok := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent); ok {
				seen = append(seen, me.Text)
				sm.Ack(*evt.Request)
			}
		}
	}
	if !slices.Equal(seen, want) {
		t.Errorf("redelivered %q, want %q", seen, want)
	}
}
