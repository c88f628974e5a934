package answerspage_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"cornershop/core"
	"cornershop/core/answerspage"
	"cornershop/core/store"
)

// hostileTitle is a community member's title: it must show literally.
const hostileTitle = `<script>alert(1)</script><b>Gift</b> cards`

// newServer serves the page over a fresh SQLite store with a few answers.
func newServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(tb.TempDir(), "answers.db"), AutoMigrate: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	err = st.InTx(ctx, func(tx core.Tx) error {
		for _, a := range []core.Answer{
			{Slug: "refunds", Title: "Refunds", Body: "Open Orders and press Refund.\n\nMore at https://example.com/refunds. Not a link: javascript:alert(1)", Tags: []string{"billing"}},
			{Slug: "shipping-times", Title: "Shipping times", Body: "Orders ship within two days."},
			{Slug: "gift-cards", Title: hostileTitle, Body: "Gift cards never expire.", CreditName: "Tess <i>"},
		} {
			if err := tx.CreateAnswer(&a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	h := answerspage.Handler(st, answerspage.Options{Team: "Acme"})
	mux.Handle("GET /answers", h)
	mux.Handle("GET /answers/{slug}", h)
	mux.Handle("GET /answers.json", h)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func get(tb testing.TB, url string) (*http.Response, string) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(b)
}

func TestAnswersPage(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name, path string
		status     int
		want, not  []string
	}{
		{name: "list", path: "/answers", status: 200,
			want: []string{"Acme answers", `href="/answers/refunds"`, "Shipping times", `&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Gift&lt;/b&gt; cards`, `name="q"`, "Thanks to Tess &lt;i&gt;"},
			not:  []string{"<script", "<b>Gift"}},
		{name: "search", path: "/answers?q=refund", status: 200, want: []string{`1 result for “<span class="query">refund</span>”`, "Refunds", `<p class="excerpt">Open Orders and press Refund. More at https://example.com/refunds.`}, not: []string{"Shipping times"}},
		{name: "search nothing", path: "/answers?q=xyzzy", status: 200, want: []string{"No answer matches"}},
		{name: "hostile search", path: "/answers?q=%22%3E%3Cscript%3E", status: 200, want: []string{`value="&#34;&gt;&lt;script&gt;"`}, not: []string{`"><script>`}},
		{name: "one answer", path: "/answers/refunds", status: 200,
			want: []string{`<h1 class="title">Refunds</h1>`, `<a href="https://example.com/refunds" rel="nofollow noopener noreferrer">https://example.com/refunds</a>.`, "Not a link: javascript:alert(1)", "billing"},
			not:  []string{`href="javascript`}},
		{name: "unknown answer", path: "/answers/nope", status: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 200 {
				if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self'") {
					t.Errorf("CSP = %q", csp)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("page contains %q", n)
				}
			}
		})
	}
}

func TestAnswersJSON(t *testing.T) {
	srv := newServer(t)
	resp, body := get(t, srv.URL+"/answers.json?q=refund")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("headers = %v", resp.Header)
	}
	var p answerspage.Page
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Team != "Acme" || p.Query != "refund" || len(p.Answers) != 1 || p.Answers[0].Slug != "refunds" || p.Answers[0].URL != "/answers/refunds" || p.Answers[0].Tags[0] != "billing" {
		t.Fatalf("page = %+v", p)
	}
	_, body = get(t, srv.URL+"/answers.json")
	if err := json.Unmarshal([]byte(body), &p); err != nil || len(p.Answers) != 3 {
		t.Fatalf("list = %+v, %v", p, err)
	}
}
