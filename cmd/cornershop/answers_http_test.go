package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeAnswersSeededFromDir: serve publishes the answers folder at
// start (answers.dir) and routes /answers, /answers/<slug> and
// /answers.json to the answers page; a search runs on the database's
// engine.
func TestServeAnswersSeededFromDir(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"refunds.md":  "# Refunds\nOpen Orders and press Refund.",
		"shipping.md": "---\ntitle: Shipping times\ntags: orders\n---\nOrders ship within two days.",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	base, _ := startServe(t, map[string]string{
		"CORNERSHOP_HTTP_LISTEN":  "127.0.0.1:0",
		"CORNERSHOP_DATABASE_DSN": filepath.Join(t.TempDir(), "c.db"),
		"CORNERSHOP_TEAM_NAME":    "Acme",
		"CORNERSHOP_ANSWERS_DIR":  dir,
	})
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/answers", []string{"<title>Acme answers</title>", "Refunds", "Shipping times"}},
		{"/answers?q=refund", []string{"1 result for", `href="/answers/refunds"`}},
		{"/answers/shipping-times", []string{"Orders ship within two days.", "orders"}},
		{"/answers.json?q=ship", []string{`"slug": "shipping-times"`}},
	} {
		res, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", tc.path, res.StatusCode)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("GET %s lacks %q:\n%s", tc.path, w, b.String())
			}
		}
	}
}
