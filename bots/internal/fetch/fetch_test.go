package fetch_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cornershop/bots/internal/fetch"
	"cornershop/core"
)

func TestGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			io.WriteString(w, "bytes")
		case "/gone":
			w.WriteHeader(http.StatusNotFound)
		default:
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	auth := http.Header{"Authorization": {"Bearer tok"}}
	tests := []struct {
		path  string
		class core.Class
		ok    bool
	}{
		{"/ok", 0, true},
		{"/gone", core.ClassPermanent, false},
		{"/flaky", core.ClassTransient, false},
	}
	for _, tc := range tests {
		rc, err := fetch.Get(context.Background(), srv.Client(), "test", srv.URL+tc.path, auth, "tok")
		if tc.ok {
			if err != nil {
				t.Fatalf("%s: %v", tc.path, err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if string(b) != "bytes" {
				t.Errorf("%s: body %q", tc.path, b)
			}
			continue
		}
		if class, _ := core.Classify(err); err == nil || class != tc.class {
			t.Errorf("%s: error %v, want class %d", tc.path, err, tc.class)
		}
	}
	_, err := fetch.Get(context.Background(), srv.Client(), "test", "http://127.0.0.1:1/file?token=tok", nil, "tok")
	if err == nil || strings.Contains(err.Error(), "tok") {
		t.Errorf("unreachable host error %v must hide the secret", err)
	}
}
