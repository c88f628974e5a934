package playground_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/telegram/telegramfake"
	"cornershop/playground"
)

// start serves the playground for a scene on a real Telegram emulator.
func start(t *testing.T) (*httptest.Server, *telegramfake.Server, telegramfake.User) {
	t.Helper()
	tg, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tg.Close() })
	carla, _, _ := tg.SeedDemo()
	id := strconv.FormatInt(carla.ID, 10)
	h, err := playground.Handler(playground.Scene{Team: "Acme", Platforms: []playground.Platform{{
		ID: "telegram", Name: "Telegram", API: tg.URL(),
		Panels: []playground.Panel{{Side: "customer", Title: "customers",
			Chats: []playground.Chat{{ID: id, Title: "Carla", Persona: id}}, Personas: []playground.Persona{{ID: id, Name: "Carla"}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	return srv, tg, carla
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestPageAndScene: the page and its assets are served from the binary,
// under a content security policy allowing no inline or foreign script;
// the scene lists who can be played, without the emulators' addresses.
func TestPageAndScene(t *testing.T) {
	srv, tg, _ := start(t)
	for _, tc := range []struct{ path, ctype, has string }{
		{"/", "text/html", `<script src="/static/app.js" defer></script>`},
		{"/static/app.js", "text/javascript", "new EventSource("},
		{"/static/style.css", "text/css", ".panel"},
		{"/scene.json", "application/json", `"personas":[{"id":`},
	} {
		resp, body := get(t, srv.URL+tc.path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) || !strings.Contains(body, tc.has) {
			t.Errorf("GET %s = %d %s, want %s containing %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.ctype, tc.has)
		}
	}
	resp, _ := get(t, srv.URL+"/")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("page CSP = %q", csp)
	}
	if _, body := get(t, srv.URL+"/scene.json"); strings.Contains(body, tg.URL()) {
		t.Errorf("scene shows the emulator's address: %s", body)
	}
	if resp, _ := get(t, srv.URL+"/emu/slack/chats"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a platform not in the scene answers %d", resp.StatusCode)
	}
}

// TestProxy: the page's calls reach the emulator's user-side API, posts
// and change events included.
func TestProxy(t *testing.T) {
	srv, tg, carla := start(t)
	id := strconv.FormatInt(carla.ID, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/emu/telegram/events", nil)
	events, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	lines := bufio.NewScanner(events.Body)
	next := func() string {
		for lines.Scan() {
			if name, ok := strings.CutPrefix(lines.Text(), "event: "); ok {
				return name
			}
		}
		t.Fatalf("event stream ended: %v", lines.Err())
		return ""
	}
	if e := next(); e != "change" {
		t.Fatalf("first event %q", e)
	}

	resp, err := http.Post(srv.URL+"/emu/telegram/chats/"+id+"/messages", "application/json", strings.NewReader(`{"user":"`+id+`","text":"hello"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post through the proxy = %d", resp.StatusCode)
	}
	if ms := tg.Messages(carla.ID, 0); len(ms) != 1 || ms[0].Text != "hello" || ms[0].From.ID != carla.ID {
		t.Errorf("emulator holds %+v, want Carla's hello", ms)
	}
	if e := next(); e != "change" {
		t.Errorf("event after the post %q, want change", e)
	}
	_, body := get(t, srv.URL+"/emu/telegram/chats/"+id+"/messages")
	var v struct {
		Messages []struct{ Text string }
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || len(v.Messages) != 1 || v.Messages[0].Text != "hello" {
		t.Errorf("chat through the proxy = %s (%v)", body, err)
	}
}

// TestBadScene: a platform without a usable emulator address is refused.
func TestBadScene(t *testing.T) {
	for _, p := range []playground.Platform{{ID: "telegram", API: ""}, {ID: "a/b", API: "http://127.0.0.1:1"}, {ID: "", API: "http://127.0.0.1:1"}} {
		if _, err := playground.Handler(playground.Scene{Platforms: []playground.Platform{p}}); err == nil {
			t.Errorf("platform %+v accepted", p)
		}
	}
}
