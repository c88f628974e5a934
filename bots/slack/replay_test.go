package slack_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/core"
)

// captured is a request Slack sent, as sent, and the answer it got.
type captured struct {
	path    string
	body    []byte
	headers http.Header
}

// capture wraps the world's HTTP side so every request reaching it is kept
// and can be sent again byte for byte, as someone who captured it would.
type capture struct {
	mu   sync.Mutex
	reqs []captured
}

func (c *capture) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(rw, r)
		c.mu.Lock()
		c.reqs = append(c.reqs, captured{path: r.URL.Path, body: body, headers: r.Header.Clone()})
		c.mu.Unlock()
	})
}

// last returns the newest request to path.
func (c *capture) last(t *testing.T, path string) captured {
	t.Helper()
	var got captured
	bottest.Eventually(t, wait, "a request to "+path, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := len(c.reqs) - 1; i >= 0; i-- {
			if c.reqs[i].path == path {
				got = c.reqs[i]
				return true
			}
		}
		return false
	})
	return got
}

// replay sends r again to the handler over HTTP, unchanged (same body,
// timestamp and signature), and returns the status and body.
func (w *ideasWorld) replay(t *testing.T, r captured) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.events.URL+"/slack"+r.path, bytes.NewReader(r.body))
	req.Header = r.headers.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReplayedCommandsActOnce sends signed slash commands and a button
// press to the HTTP endpoints a second time, byte for byte within the
// five-minute window: a replayed "/cornershop idea" posts no second idea,
// a replayed "/cornershop vote" and a replayed vote button do not toggle
// the vote back; each replay gets 200 with an empty body, as Slack
// expects, and no second ephemeral answer.
func TestReplayedCommandsActOnce(t *testing.T) {
	w := newIdeasWorld(t, true)
	var c capture
	w.handler = c.wrap(w.handler)
	emptyOK := func(t *testing.T, r captured) {
		t.Helper()
		if status, body := w.replay(t, r); status != http.StatusOK || strings.TrimSpace(body) != "" {
			t.Errorf("replay of %s answered %d %q, want 200 and no body", r.path, status, body)
		}
	}
	countIdeas := func() int {
		var n int
		if err := w.stack.Store.InTx(context.Background(), func(tx core.Tx) error {
			is, err := tx.Ideas(core.IdeaFilter{Limit: 10})
			n = len(is)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}

	w.fake.Slash(w.board.ID, w.customer, "/cornershop", "idea Export to CSV — for the accountants")
	card := w.cardIn(t, "", "the idea's card", func(s string) bool { return strings.Contains(s, "#1 Export to CSV") })
	emptyOK(t, c.last(t, "/commands"))
	if n := countIdeas(); n != 1 {
		t.Errorf("%d ideas after a replayed /cornershop idea, want 1", n)
	}

	w.fake.Slash(w.board.ID, w.erin, "/cornershop", "vote 1")
	bottest.Eventually(t, wait, "Erin's vote counted", func() bool { return w.idea(t, 1).Votes == 2 })
	emptyOK(t, c.last(t, "/commands"))
	if v := w.idea(t, 1).Votes; v != 2 {
		t.Errorf("idea #1 has %d votes after a replayed /cornershop vote, want 2 (the replay withdrew the vote)", v)
	}

	bottest.Eventually(t, wait, "the card recorded", func() bool { return w.idea(t, 1).CardID == card.TS })
	action, value := button(t, card)
	if _, err := w.fake.Click(w.board.ID, card.TS, w.erin, action, value); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "Erin's vote withdrawn by the button", func() bool { return w.idea(t, 1).Votes == 1 })
	press := c.last(t, "/interactive")
	told := len(w.fake.Ephemerals())
	emptyOK(t, press)
	if v := w.idea(t, 1).Votes; v != 1 {
		t.Errorf("idea #1 has %d votes after a replayed button press, want 1", v)
	}
	if n := len(w.fake.Ephemerals()); n != told {
		t.Errorf("a replayed button press was answered again (%d ephemerals, had %d)", n, told)
	}
}
