package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"cornershop/core"
	"cornershop/core/store"
)

// TestServeRoadmap checks serve routes /ideas (HTML, or JSON on request)
// and /ideas.json to the roadmap, with the configured team name.
func TestServeRoadmap(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "c.db")
	base, _ := startServe(t, map[string]string{
		"CORNERSHOP_HTTP_LISTEN":  "127.0.0.1:0",
		"CORNERSHOP_DATABASE_DSN": dsn,
		"CORNERSHOP_TEAM_NAME":    "Acme",
	})
	// A second store on the same file, as another replica would be.
	st, err := store.Open(context.Background(), store.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.InTx(context.Background(), func(tx core.Tx) error {
		c := core.Contact{Name: "Ada", Identities: []core.Identity{{Platform: core.Telegram, UserID: "1"}}}
		if err := tx.CreateContact(&c); err != nil {
			return err
		}
		return tx.CreateIdea(&core.Idea{Title: "Dark mode", Status: core.IdeaPlanned, Author: c.ID, Origin: core.Place{Platform: core.Telegram, Chat: "1"}, SourceID: "1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, accept, ctype string
		want                []string
	}{
		{"/ideas", "text/html,*/*;q=0.8", "text/html", []string{"<title>Acme roadmap</title>", "Planned", "Dark mode", "0 votes"}},
		{"/ideas", "application/json", "application/json", []string{`"team": "Acme"`, `"title": "Dark mode"`}},
		{"/ideas.json", "", "application/json", []string{`"status": "planned"`, `"status_label": "Planned"`}},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+tc.path, nil)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), tc.ctype) || res.Header.Get("Cache-Control") != "public, max-age=30" {
			t.Errorf("GET %s (Accept %q) = %d %s, Cache-Control %q", tc.path, tc.accept, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("GET %s (Accept %q) lacks %q:\n%s", tc.path, tc.accept, w, b.String())
			}
		}
	}
}
