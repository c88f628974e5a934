package answerspage_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Environment the browser test reads (as core/roadmap's does).
const (
	// requireBrowserEnv=1 turns a missing Chromium into a failure (CI).
	requireBrowserEnv = "CORNERSHOP_REQUIRE_BROWSER"
	// artifactsEnv names a directory for the screenshot [a temporary one].
	artifactsEnv = "CORNERSHOP_TEST_ARTIFACTS"
)

func chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "Chromium not found on PATH (Debian: apt-get install chromium); answers browser test skipped"
	if os.Getenv(requireBrowserEnv) == "1" {
		tb.Fatal(msg + ", but " + requireBrowserEnv + "=1 requires it")
	}
	tb.Skip(msg)
	return ""
}

func newBrowser(tb testing.TB, path string) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1024, 800),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tb.Cleanup(cancelAlloc)
	tctx, cancelTab := chromedp.NewContext(actx)
	tb.Cleanup(cancelTab)
	return tctx
}

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
	path := chromium(t)
	srv := newServer(t)
	ctx := newBrowser(t, path)
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
	keepScreenshot(t, "answers.png", shot)
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

func keepScreenshot(tb testing.TB, name string, shot []byte) {
	tb.Helper()
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil {
		tb.Fatalf("screenshot is not a PNG: %v", err)
	}
	if cfg.Width < 100 || cfg.Height < 100 {
		tb.Errorf("screenshot is %dx%d", cfg.Width, cfg.Height)
	}
	dir := os.Getenv(artifactsEnv)
	if dir == "" {
		dir = tb.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	path, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot (%dx%d): %s", cfg.Width, cfg.Height, path)
}
