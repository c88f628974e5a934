package roadmap_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/roadmap"
	"cornershop/core/store"
)

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// hostileTitle is customer text that would run as script if not escaped.
const hostileTitle = `<script>alert("pwned")</script> & <b>bold</b>`

// world is a store seeded with ideas in every state the roadmap cares about.
type world struct {
	store *store.Store
	ideas map[string]core.IdeaID // by title key
}

// openStore opens a migrated SQLite store in a temporary directory.
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(tb.TempDir(), "roadmap.db"), AutoMigrate: true})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// seed fills a new store: visible ideas in each shown status (one pinned,
// some voted for), and a hidden, a queued and a merged idea that must never
// show.
func seed(tb testing.TB) world {
	tb.Helper()
	w := world{store: openStore(tb), ideas: map[string]core.IdeaID{}}
	err := w.store.InTx(context.Background(), func(tx core.Tx) error {
		var voters []core.Voter
		for i, name := range []string{"Ada", "Bob", "Cy"} {
			c := core.Contact{Name: name, Identities: []core.Identity{{Platform: core.Telegram, UserID: fmt.Sprint("u", i)}}, CreatedAt: t0}
			if err := tx.CreateContact(&c); err != nil {
				return err
			}
			voters = append(voters, core.Voter{Contact: c.ID, Platform: core.Telegram, UserID: c.Identities[0].UserID})
		}
		n := 0
		add := func(key string, i core.Idea, votes int) error {
			n++
			i.Author, i.AuthorName = voters[0].Contact, "Ada"
			i.Origin, i.SourceID = core.Place{Platform: core.Telegram, Chat: "board"}, fmt.Sprint(n)
			i.CreatedAt = t0.Add(time.Duration(n) * time.Hour)
			if err := tx.CreateIdea(&i); err != nil {
				return fmt.Errorf("create %s: %w", key, err)
			}
			w.ideas[key] = i.ID
			for _, v := range voters[:votes] {
				if _, err := tx.ToggleVote(i.ID, v); err != nil {
					return fmt.Errorf("vote on %s: %w", key, err)
				}
			}
			return nil
		}
		for _, s := range []struct {
			key   string
			idea  core.Idea
			votes int
		}{
			{"dark", core.Idea{Title: "Dark mode", Body: "Please add a dark theme.\n\nMy eyes   hurt at night.", Status: core.IdeaPlanned, Tags: []string{"ui", "accessibility"}, Message: "Planned for the March release."}, 2},
			{"pinned", core.Idea{Title: "Offline mode", Status: core.IdeaPlanned, Pinned: true}, 0},
			{"search", core.Idea{Title: "Faster search", Status: core.IdeaInProgress}, 3},
			{"review", core.Idea{Title: "Calendar sync", Status: core.IdeaUnderReview}, 1},
			{"hostile", core.Idea{Title: hostileTitle, Body: "<img src=x onerror=alert(1)>", Status: core.IdeaNew, Message: "<i>thanks</i>"}, 1},
			{"csv", core.Idea{Title: "Export to CSV", Status: core.IdeaDone}, 3},
			{"chain", core.Idea{Title: "Blockchain loyalty points", Status: core.IdeaDeclined, Message: "Not for us, sorry."}, 0},
			{"hidden", core.Idea{Title: "Buy cheap watches", Status: core.IdeaNew, Hidden: true, HideReason: "spam"}, 0},
			{"queued", core.Idea{Title: "Waiting for a moderator", Status: core.IdeaNew, Queued: true}, 0},
			{"dup", core.Idea{Title: "Night theme", Status: core.IdeaDuplicate}, 1},
		} {
			if err := add(s.key, s.idea, s.votes); err != nil {
				return err
			}
		}
		return tx.UpdateIdea(w.ideas["dup"], core.IdeaPatch{MergedInto: ptr(w.ideas["dark"])}, t0.Add(24*time.Hour))
	})
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
	return w
}

func ptr[T any](v T) *T { return &v }

// get serves one request through h and returns the response and its body.
func get(tb testing.TB, h http.Handler, path, accept string) (*http.Response, string) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func TestHandlerHTML(t *testing.T) {
	w := seed(t)
	h := roadmap.Handler(w.store, roadmap.Options{Team: "Acme & Co"})
	for _, tc := range []struct {
		name, path, accept string
		want               []string // in this order
		absent             []string
	}{
		{
			name: "sections in roadmap order", path: "/ideas", accept: browserAccept,
			want: []string{"<title>Acme &amp; Co roadmap</title>", ">Planned<", ">In progress<", ">Under review<", ">New<", ">Done<", ">Declined<"},
		},
		{
			name: "pinned first, then most voted", path: "/ideas",
			want: []string{"Offline mode", "0 votes", "Dark mode", "2 votes", "Faster search", "3 votes", "Calendar sync", "1 vote<"},
		},
		{
			name: "tags, latest message and a one-line body excerpt", path: "/ideas",
			want: []string{fmt.Sprintf(`<span class="id">#%d</span>`, w.ideas["dark"]), "<li>ui</li><li>accessibility</li>", "Latest from the team:</strong> Planned for the March release.", "Please add a dark theme. My eyes hurt at night."},
		},
		{
			name: "customer text is escaped", path: "/ideas",
			want:   []string{"&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;", "&lt;i&gt;thanks&lt;/i&gt;", "&lt;img src=x onerror=alert(1)&gt;"},
			absent: []string{"<script", "<b>bold", "<img", "<i>thanks"},
		},
		{
			name: "hidden, queued and merged ideas never show", path: "/ideas",
			absent: []string{"Buy cheap watches", "Waiting for a moderator", "Night theme", "Duplicate", "spam"},
		},
		{name: "HTML for curl's */*", path: "/ideas", accept: "*/*", want: []string{"<!doctype html>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, h, tc.path, tc.accept)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=30" {
				t.Errorf("Cache-Control = %q", cc)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none';") || strings.Contains(csp, "script-src") {
				t.Errorf("Content-Security-Policy = %q, want no script allowed", csp)
			}
			rest := body
			for _, s := range tc.want {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("page lacks %q (in this order) after what came before:\n%s", s, body)
				}
				rest = rest[i+len(s):]
			}
			for _, s := range tc.absent {
				if strings.Contains(body, s) {
					t.Errorf("page shows %q:\n%s", s, body)
				}
			}
		})
	}
}

// jsonIdea is the JSON variant's idea with every documented field; decoding
// with DisallowUnknownFields pins the field set.
type jsonIdea struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Status      string    `json:"status"`
	StatusLabel string    `json:"status_label"`
	Votes       int       `json:"votes"`
	Comments    int       `json:"comments"`
	Tags        []string  `json:"tags"`
	Pinned      bool      `json:"pinned"`
	Message     string    `json:"message"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type jsonPage struct {
	Team   string `json:"team"`
	Groups []struct {
		Status string     `json:"status"`
		Label  string     `json:"label"`
		Ideas  []jsonIdea `json:"ideas"`
	} `json:"groups"`
}

func decodePage(t *testing.T, body string) jsonPage {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	var p jsonPage
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return p
}

func TestHandlerJSON(t *testing.T) {
	w := seed(t)
	h := roadmap.Handler(w.store, roadmap.Options{Team: "Acme"})
	for _, tc := range []struct{ name, path, accept string }{
		{"by path", "/ideas.json", ""},
		{"by Accept", "/ideas", "application/json"},
		{"by weighted Accept", "/ideas", "application/json;q=0.9, text/plain;q=0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, h, tc.path, tc.accept)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Fatalf("status %d, Content-Type %q: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=30" {
				t.Errorf("Cache-Control = %q", cc)
			}
			if o := res.Header.Get("Access-Control-Allow-Origin"); o != "*" {
				t.Errorf("Access-Control-Allow-Origin = %q", o)
			}
			p := decodePage(t, body)
			if p.Team != "Acme" {
				t.Errorf("team = %q", p.Team)
			}
			var statuses []string
			titles := map[string][]string{}
			for _, g := range p.Groups {
				statuses = append(statuses, g.Status)
				for _, i := range g.Ideas {
					if i.Status != g.Status {
						t.Errorf("idea %d has status %q in group %q", i.ID, i.Status, g.Status)
					}
					titles[g.Status] = append(titles[g.Status], i.Title)
				}
			}
			if want := []string{"planned", "in_progress", "under_review", "new", "done", "declined"}; !reflect.DeepEqual(statuses, want) {
				t.Errorf("groups = %v, want %v", statuses, want)
			}
			wantTitles := map[string][]string{
				"planned": {"Offline mode", "Dark mode"}, "in_progress": {"Faster search"}, "under_review": {"Calendar sync"},
				"new": {hostileTitle}, "done": {"Export to CSV"}, "declined": {"Blockchain loyalty points"},
			}
			if !reflect.DeepEqual(titles, wantTitles) {
				t.Errorf("titles = %q, want %q", titles, wantTitles)
			}
			got := p.Groups[0].Ideas[1]
			want := jsonIdea{
				ID: int64(w.ideas["dark"]), Title: "Dark mode", Body: "Please add a dark theme.\n\nMy eyes   hurt at night.",
				Status: "planned", StatusLabel: "Planned", Votes: 2, Tags: []string{"ui", "accessibility"},
				Message: "Planned for the March release.", CreatedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(time.Hour),
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("dark mode idea =\n %+v, want\n %+v", got, want)
			}
			if pinned := p.Groups[0].Ideas[0]; !pinned.Pinned || pinned.Tags == nil {
				t.Errorf("pinned idea = %+v, want pinned with tags [] (not null)", pinned)
			}
		})
	}
}

func TestHandlerEmpty(t *testing.T) {
	h := roadmap.Handler(openStore(t), roadmap.Options{})
	res, body := get(t, h, "/ideas", "")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "No ideas yet") || strings.Contains(body, "<h2") {
		t.Errorf("empty page: status %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, "<title>Support roadmap</title>") {
		t.Errorf("empty page lacks the default team name:\n%s", body)
	}
	_, body = get(t, h, "/ideas.json", "")
	p := decodePage(t, body)
	if len(p.Groups) != 6 {
		t.Fatalf("groups = %d, want 6", len(p.Groups))
	}
	for _, g := range p.Groups {
		if g.Ideas == nil {
			t.Errorf("group %s: ideas is null, want []", g.Status)
		}
	}
}

// leaky is a source that ignores the filter and returns what the public
// must not see.
type leaky struct{ err error }

func (l leaky) Ideas(context.Context, core.IdeaFilter) ([]core.Idea, error) {
	return []core.Idea{
		{ID: 1, Title: "hidden one", Status: core.IdeaNew, Hidden: true},
		{ID: 2, Title: "queued one", Status: core.IdeaNew, Queued: true},
		{ID: 3, Title: "merged one", Status: core.IdeaDuplicate, MergedInto: 4},
		{ID: 4, Title: "shown one", Status: core.IdeaNew},
	}, l.err
}

func TestHandlerNeverShowsWhatThePublicMayNotSee(t *testing.T) {
	_, body := get(t, roadmap.Handler(leaky{}, roadmap.Options{}), "/ideas", "")
	if !strings.Contains(body, "shown one") {
		t.Errorf("page lacks the visible idea:\n%s", body)
	}
	for _, s := range []string{"hidden one", "queued one", "merged one"} {
		if strings.Contains(body, s) {
			t.Errorf("page shows %q", s)
		}
	}
}

func TestHandlerSourceFails(t *testing.T) {
	res, body := get(t, roadmap.Handler(leaky{err: errors.New("database is on fire")}, roadmap.Options{}), "/ideas", "")
	if res.StatusCode != http.StatusInternalServerError || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if strings.Contains(body, "fire") || strings.Contains(body, "shown one") {
		t.Errorf("error page leaks: %s", body)
	}
}

func TestVotes(t *testing.T) {
	for n, want := range map[int]string{0: "0 votes", 1: "1 vote", 2: "2 votes", 1000: "1000 votes"} {
		if got := roadmap.Votes(n); got != want {
			t.Errorf("Votes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"", 10, ""},
		{"short", 10, "short"},
		{"  two\n\nlines  ", 10, "two lines"},
		{"exactly ten", 11, "exactly ten"},
		{"cut at a word boundary please", 16, "cut at a word…"},
		{"cut, after punctuation", 8, "cut…"},
		{"onelongwordwithoutspaces", 8, "onelongw…"},
		{"ééééé ééééé", 8, "ééééé…"},
	} {
		if got := roadmap.Excerpt(tc.in, tc.max); got != tc.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestWantsJSON(t *testing.T) {
	for _, tc := range []struct {
		path, accept string
		want         bool
	}{
		{"/ideas", "", false},
		{"/ideas", "*/*", false},
		{"/ideas", browserAccept, false},
		{"/ideas", "application/json", true},
		{"/ideas", "Application/JSON; charset=utf-8", true},
		{"/ideas", "application/json, text/html", false},
		{"/ideas", "application/json;q=0, text/plain", false},
		{"/ideas", "application/json;q=0.000", false},
		{"/ideas", "application/json;q=nonsense", false},
		{"/ideas.json", "", true},
		{"/ideas.json", browserAccept, true},
	} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Header.Set("Accept", tc.accept)
		if got := roadmap.WantsJSON(req); got != tc.want {
			t.Errorf("WantsJSON(%s, Accept %q) = %v, want %v", tc.path, tc.accept, got, tc.want)
		}
	}
}
