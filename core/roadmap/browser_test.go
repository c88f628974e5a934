package roadmap_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cornershop/core/roadmap"
	"cornershop/internal/browsertest"
)

// seen is what a visitor sees of the page, read from the rendered DOM.
type seen struct {
	Title    string   `json:"title"`
	Headings []string `json:"headings"`
	Ideas    []struct {
		ID      string `json:"id"`
		Section string `json:"section"`
		Title   string `json:"title"`
		Votes   string `json:"votes"`
		Message string `json:"message"`
	} `json:"ideas"`
	Text     string `json:"text"`
	Scripts  int    `json:"scripts"`
	Injected int    `json:"injected"`
}

const seenJS = `({
	title: document.title,
	headings: [...document.querySelectorAll("main section h2 .label")].map(e => e.innerText),
	ideas: [...document.querySelectorAll("main li.idea")].map(li => ({
		id: li.id,
		section: li.closest("section").querySelector("h2 .label").innerText,
		title: li.querySelector("h3 .title").innerText,
		votes: li.querySelector(".votes").innerText,
		message: (li.querySelector(".message") || {innerText: ""}).innerText,
	})),
	text: document.body.innerText,
	scripts: document.scripts.length,
	injected: document.querySelectorAll("main b, main i, main img, main script").length,
})`

// TestRoadmapInBrowser loads the roadmap in headless Chromium and checks
// what a visitor sees; it keeps a screenshot as a test artifact.
func TestRoadmapInBrowser(t *testing.T) {
	path := browsertest.Chromium(t, "roadmap")
	w := seed(t)
	mux := http.NewServeMux()
	h := roadmap.Handler(w.store, roadmap.Options{Team: "Acme"})
	mux.Handle("GET /ideas", h)
	mux.Handle("GET /ideas.json", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := browsertest.New(t, path, 1024, 900)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ideas")); err != nil {
		t.Fatalf("load the page: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[seen](seenJS))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	browsertest.KeepScreenshot(t, "roadmap.png", shot)

	if got.Title != "Acme roadmap" {
		t.Errorf("title = %q", got.Title)
	}
	if want := []string{"Planned", "In progress", "Under review", "New", "Done", "Declined"}; !slices.Equal(got.Headings, want) {
		t.Errorf("section headings = %q, want %q", got.Headings, want)
	}
	byID := map[string]int{}
	for i, idea := range got.Ideas {
		byID[idea.ID] = i
	}
	dark, ok := byID[fmt.Sprint("idea-", int64(w.ideas["dark"]))]
	if !ok {
		t.Fatalf("the page lists no Dark mode idea: %+v", got.Ideas)
	}
	d := got.Ideas[dark]
	if d.Section != "Planned" || d.Title != "Dark mode" || d.Votes != "2 votes" || d.Message != "Latest from the team: Planned for the March release." {
		t.Errorf("Dark mode reads %+v", d)
	}
	if i := byID[fmt.Sprint("idea-", int64(w.ideas["review"]))]; got.Ideas[i].Votes != "1 vote" {
		t.Errorf("Calendar sync shows %q, want 1 vote", got.Ideas[i].Votes)
	}
	if i := byID[fmt.Sprint("idea-", int64(w.ideas["hostile"]))]; got.Ideas[i].Title != hostileTitle {
		t.Errorf("hostile title shows as %q, want it literally: %q", got.Ideas[i].Title, hostileTitle)
	}
	if got.Scripts != 0 || got.Injected != 0 {
		t.Errorf("page has %d scripts and %d elements from customer markup", got.Scripts, got.Injected)
	}
	for _, s := range []string{"Buy cheap watches", "Waiting for a moderator", "Night theme"} {
		if strings.Contains(got.Text, s) {
			t.Errorf("visitor sees %q, which must not show", s)
		}
	}
	if len(got.Ideas) != 7 {
		t.Errorf("page lists %d ideas, want the 7 visible ones", len(got.Ideas))
	}
}
