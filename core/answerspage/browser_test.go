package answerspage_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cornershop/internal/browsertest"
)

// seenPage is what a visitor sees, read from the rendered DOM.
type seenPage struct {
	URL      string   `json:"url"`
	Title    string   `json:"title"`
	Titles   []string `json:"titles"`
	Query    string   `json:"query"`
	Scripts  int      `json:"scripts"`
	Injected int      `json:"injected"`
	Text     string   `json:"text"`
}

const seenJS = `({
	url: location.pathname + location.search,
	title: document.title,
	titles: [...document.querySelectorAll("main li.answer .title")].map(e => e.innerText),
	query: document.querySelector("input[name=q]").value,
	scripts: document.scripts.length,
	injected: document.querySelectorAll("main b, main i, main script").length,
	text: document.body.innerText,
})`

// TestAnswersInBrowser loads the answers page in headless Chromium, runs a
// search through the form (a GET submission: the page has no script),
// opens the result, and keeps a screenshot of the search as answers.png.
func TestAnswersInBrowser(t *testing.T) {
	path := browsertest.Chromium(t, "answers")
	srv := newServer(t)
	ctx := browsertest.New(t, path, 1024, 800)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/answers")); err != nil {
		t.Fatalf("load the page: %v", err)
	}
	all, err := chromedp.Run(ctx, chromedp.Evaluate[seenPage](seenJS))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	if all.Title != "Acme answers" || len(all.Titles) != 3 || !slices.Contains(all.Titles, "<script>alert(1)</script><b>Gift</b> cards") {
		t.Errorf("list reads %+v", all)
	}
	if all.Scripts != 0 || all.Injected != 0 {
		t.Errorf("page has %d scripts and %d elements from answer text", all.Scripts, all.Injected)
	}

	// Search as a visitor does: type, press Enter.
	err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "refund\n"))
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`p.results`))); err != nil {
		t.Fatalf("wait for results: %v", err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[seenPage](seenJS))
	if err != nil {
		t.Fatalf("read the results: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	browsertest.KeepScreenshot(t, "answers.png", shot)
	if found.URL != "/answers?q=refund" || found.Query != "refund" || !slices.Equal(found.Titles, []string{"Refunds"}) {
		t.Errorf("search reads %+v", found)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`main li.answer a.title`))); err != nil {
		t.Fatalf("open the result: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`main.body`))); err != nil {
		t.Fatalf("wait for the answer: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main.body`)))
	if err != nil {
		t.Fatal(err)
	}
	link, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`main.body a`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	href := link.Value
	if !strings.Contains(text, "Open Orders and press Refund.") || href != "https://example.com/refunds" {
		t.Errorf("answer reads %q with link %q", text, href)
	}
}
