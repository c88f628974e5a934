package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"cornershop/config"
)

// TestAPIMounted: the app serves the REST API under /api/v1 with the
// configured tokens: the document to anyone, the records to a token.
func TestAPIMounted(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef-test"
	srv := apiServer(t, secret)
	if code, body := get(t, srv.URL+"/api/v1/openapi.json"); code != 200 || !strings.Contains(body, `"openapi":"3.0.3"`) {
		t.Errorf("openapi.json = %d %.80q", code, body)
	}
	if code, _ := get(t, srv.URL+"/api/v1/contacts"); code != http.StatusUnauthorized {
		t.Errorf("contacts without a token = %d, want 401", code)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/contacts", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("contacts with the token = %d, want 200", resp.StatusCode)
	}
}

// TestWebhookFailuresBehindTheAPI: the webhook failure routes answer only a
// valid API token with their scope: listing needs read, redelivery write.
func TestWebhookFailuresBehindTheAPI(t *testing.T) {
	const reader = "0123456789abcdef0123456789abcdef-read"
	srv := apiServer(t, reader)
	call := func(method, path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		method, path, token string
		want                int
		body                string
	}{
		{"GET", "/api/v1/webhooks/failures", "", http.StatusUnauthorized, `"unauthorized"`},
		{"GET", "/api/v1/webhooks/failures", "wrong-token-wrong-token-wrong-token", http.StatusUnauthorized, `"unauthorized"`},
		{"GET", "/api/v1/webhooks/failures", reader, http.StatusOK, `{"failures":[]}`},
		{"POST", "/api/v1/webhooks/failures/1/redeliver", reader, http.StatusForbidden, `"forbidden"`},
	}
	for _, tc := range tests {
		if code, body := call(tc.method, tc.path, tc.token); code != tc.want || !strings.Contains(body, tc.body) {
			t.Errorf("%s %s = %d %q, want %d with %s", tc.method, tc.path, code, body, tc.want, tc.body)
		}
	}
}

// apiServer serves the app's public routes on SQLite with one API token,
// secret, of scope read.
func apiServer(t *testing.T, secret string) *httptest.Server {
	t.Helper()
	cfg := config.Default()
	cfg.Database.DSN = config.NewSecret(filepath.Join(t.TempDir(), "api.db"))
	cfg.API.Tokens = []config.APIToken{{Name: "crm", Secret: config.NewSecret(secret), Scopes: []string{"read"}}}
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	t.Cleanup(func() { a.store.Close() })
	public, _ := a.routes()
	srv := httptest.NewServer(public)
	t.Cleanup(srv.Close)
	return srv
}

// TestExportLinksMounted: the public port serves export links: an unknown
// token gets the plain 404 of the export link handler, not the mux's.
func TestExportLinksMounted(t *testing.T) {
	srv := apiServer(t, "0123456789abcdef0123456789abcdef-test")
	code, body := get(t, srv.URL+"/export/"+strings.Repeat("0", 64))
	if code != http.StatusNotFound || !strings.Contains(body, "download link is unknown") {
		t.Errorf("GET /export/<unknown> = %d %q, want the export link handler's 404", code, body)
	}
}
