package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/bots/discord/discordfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// signedRequest is one request Discord POSTed to the endpoint, as sent.
type signedRequest struct {
	body    []byte
	headers http.Header
}

// recorder keeps every request to the interactions endpoint by
// interaction id, so a test can send one again byte for byte, as someone
// who captured it would.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	byID map[string]signedRequest
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var i struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &i) == nil && i.ID != "" {
		r.mu.Lock()
		r.byID[i.ID] = signedRequest{body: body, headers: req.Header.Clone()}
		r.mu.Unlock()
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.next.ServeHTTP(w, req)
}

// endpointWorld is the ideas world with the bot taking interactions on
// its Interactions Endpoint URL instead of the gateway.
type endpointWorld struct {
	*ideaWorld
	srv *httptest.Server
	rec *recorder
}

func newEndpointWorld(t *testing.T) *endpointWorld {
	t.Helper()
	w := &endpointWorld{ideaWorld: &ideaWorld{world: newWorld(t)}}
	guild := w.support.GuildID
	w.board = w.fake.AddForumChannel(guild, "ideas", "New", "Under review", "Planned", "In progress", "Done", "Declined", "Duplicate", "Bug")
	w.voter = w.fake.AddUser("frank", "Frank Voter")
	w.fake.AddMember(guild, w.voter, "")
	b, err := discord.New(discord.Options{Token: w.fake.Token(), ApplicationID: w.fake.ApplicationID(), APIURL: w.fake.URL(),
		DeskChannels: []string{w.desk.ID}, CommunityChannels: []string{w.support.ID}, IdeaBoards: []string{w.board.ID},
		TeamName: "Acme Support", PublicKey: w.fake.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := relayConfig(w.world, w.desk.ID)
	cfg.Ideas = relay.Ideas{Boards: []core.Place{{Platform: core.Discord, Chat: w.board.ID}}}
	w.s = bottest.Start(t, cfg, b)
	w.rec = &recorder{next: b.InteractionsHandler(), byID: map[string]signedRequest{}}
	w.srv = httptest.NewServer(w.rec)
	t.Cleanup(w.srv.Close)
	if err := w.fake.SetInteractionsEndpoint(w.srv.URL + "/discord/interactions"); err != nil {
		t.Fatal(err)
	}
	w.connected(t)
	bottest.Eventually(t, wait, "the commands registered", func() bool { return len(w.fake.Commands()) == 5 })
	return w
}

// answered waits for the bot's callback answer to interaction id and
// returns its text.
func (w *endpointWorld) answered(t *testing.T, id string) string {
	t.Helper()
	var text string
	bottest.Eventually(t, wait, "the interaction's answer", func() bool {
		var ok bool
		_, text, ok = w.fake.Response(id)
		return ok
	})
	return text
}

// replay sends the recorded request of interaction id again, unchanged
// (same body, timestamp and signature), and returns the status and body.
func (w *endpointWorld) replay(t *testing.T, id string) (int, string) {
	t.Helper()
	w.rec.mu.Lock()
	r, ok := w.rec.byID[id]
	w.rec.mu.Unlock()
	if !ok {
		t.Fatalf("interaction %s never reached the endpoint", id)
	}
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/discord/interactions", bytes.NewReader(r.body))
	req.Header = r.headers.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// idea reads idea id from the store.
func (w *endpointWorld) idea(t *testing.T, id core.IdeaID) core.Idea {
	t.Helper()
	var i core.Idea
	if err := w.s.Store.InTx(context.Background(), func(tx core.Tx) (err error) { i, err = tx.Idea(id); return err }); err != nil {
		t.Fatal(err)
	}
	return i
}

// TestEveryRegisteredCommandOverEndpoint runs each command the bot
// registers through the Interactions Endpoint, with its options as
// Discord sends them (the registered types: /vote's number an integer, a
// JSON number), and sees each acted on and answered — /vote was refused
// with 400 "option of type Integer" before. A registered command without
// a row here fails the test.
func TestEveryRegisteredCommandOverEndpoint(t *testing.T) {
	w := newEndpointWorld(t)
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "hello"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, w.s, w.world, core.Place{Platform: core.Discord, Chat: dm.ID})
	if err := w.s.Store.InTx(t.Context(), func(tx core.Tx) error {
		return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Press Refund in Orders."})
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		command, channel string
		by               discordfake.User
		options          map[string]string
		want             string
		check            func(t *testing.T)
	}{
		{"idea", w.support.ID, w.voter, map[string]string{"text": "Offline mode — play without a network"},
			"Your idea #1", nil},
		{"ideas", w.support.ID, w.voter, map[string]string{"which": "top"}, "#1 Offline mode", nil},
		{"vote", w.support.ID, w.customer, map[string]string{"number": "1"}, "You voted for #1",
			func(t *testing.T) {
				if v := w.idea(t, 1).Votes; v != 2 {
					t.Errorf("idea #1 has %d votes, want 2", v)
				}
			}},
		{"help", dm.ID, w.customer, map[string]string{"question": "refund"}, "These answers may help", nil},
		{"cornershop", c.Desk.Thread, w.alice, map[string]string{"action": "close"}, "",
			func(t *testing.T) {
				bottest.Eventually(t, wait, "the conversation closed", func() bool {
					cv, _ := w.s.Conversation(t, core.Discord, w.customer.ID, core.Place{Platform: core.Discord, Chat: dm.ID})
					return cv.Status == core.StatusClosed
				})
			}},
	}
	var tested []string
	for _, tc := range tests {
		tested = append(tested, tc.command)
		t.Run(tc.command, func(t *testing.T) {
			before := len(w.fake.EndpointStatuses())
			id := w.fake.Command(tc.channel, tc.by, tc.command, tc.options)
			text := w.answered(t, id)
			if !strings.Contains(text, tc.want) || strings.Contains(text, "went wrong") {
				t.Errorf("/%s answered %q, want it to contain %q", tc.command, text, tc.want)
			}
			bottest.Eventually(t, wait, "the endpoint's status", func() bool { return len(w.fake.EndpointStatuses()) > before })
			if st := w.fake.EndpointStatuses()[before]; st != http.StatusAccepted {
				t.Errorf("/%s: endpoint answered %d, want 202", tc.command, st)
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
	slices.Sort(tested)
	if reg := w.fake.Commands(); !slices.Equal(slices.Sorted(slices.Values(reg)), tested) {
		t.Errorf("registered commands %v, tested %v: test every registered command", reg, tested)
	}
}

// TestReplayedInteractionActsOnce sends a signed interaction to the
// endpoint a second time, byte for byte within the timestamp window: a
// replayed /idea posts no second idea, a replayed /vote does not withdraw
// the vote, a replayed Close button does nothing; each replay gets a valid
// interaction response and no second callback answer.
func TestReplayedInteractionActsOnce(t *testing.T) {
	w := newEndpointWorld(t)
	alreadyHandled := func(t *testing.T, id string) {
		t.Helper()
		status, body := w.replay(t, id)
		var resp struct {
			Type int `json:"type"`
			Data struct {
				Content string `json:"content"`
				Flags   int    `json:"flags"`
			} `json:"data"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(body), &resp) != nil || resp.Type != 4 || resp.Data.Flags&64 == 0 {
			t.Errorf("replay answered %d %q, want 200 and an ephemeral message (type 4)", status, body)
		}
	}

	id := w.fake.Command(w.support.ID, w.voter, "idea", map[string]string{"text": "Offline mode — play without a network"})
	if text := w.answered(t, id); !strings.Contains(text, "Your idea #1") {
		t.Fatalf("/idea answered %q", text)
	}
	alreadyHandled(t, id)
	var ideas []core.Idea
	if err := w.s.Store.InTx(context.Background(), func(tx core.Tx) (err error) {
		ideas, err = tx.Ideas(core.IdeaFilter{Limit: 10})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(ideas) != 1 {
		t.Errorf("%d ideas after a replayed /idea, want 1", len(ideas))
	}

	id = w.fake.Command(w.support.ID, w.customer, "vote", map[string]string{"number": "1"})
	if text := w.answered(t, id); !strings.Contains(text, "You voted for #1") {
		t.Fatalf("/vote answered %q", text)
	}
	alreadyHandled(t, id)
	if v := w.idea(t, 1).Votes; v != 2 {
		t.Errorf("idea #1 has %d votes after a replayed /vote, want 2 (the replay withdrew the vote)", v)
	}

	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "hello"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, w.s, w.world, core.Place{Platform: core.Discord, Chat: dm.ID})
	id = w.fake.Click(w.desk.ID, c.DeskCard, w.alice, "cornershop:close")
	w.answered(t, id)
	if _, err := w.fake.Send(dm.ID, w.customer, "one more thing"); err != nil { // reopens it
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the conversation reopened", func() bool {
		cv, _ := w.s.Conversation(t, core.Discord, w.customer.ID, core.Place{Platform: core.Discord, Chat: dm.ID})
		return cv.Status == core.StatusOpen
	})
	alreadyHandled(t, id)
	if cv, _ := w.s.Conversation(t, core.Discord, w.customer.ID, core.Place{Platform: core.Discord, Chat: dm.ID}); cv.Status != core.StatusOpen {
		t.Errorf("a replayed Close button closed the conversation again (%s)", cv.Status)
	}
}
