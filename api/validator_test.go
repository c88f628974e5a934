package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// recorder is a testing.TB that keeps Errorf calls instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestValidatorCatchesDrift: the validating client does fail a response
// the document does not describe, and a request it forbids, so the API
// tests' silence means the document and the code agree.
func TestValidatorCatchesDrift(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data": [{"id": "not a number"}], "has_more": false}`)
	}))
	defer srv.Close()
	rec := &recorder{TB: t}
	client := &http.Client{Transport: newValidator(rec, srv.URL)}
	resp, err := client.Get(srv.URL + "/api/v1/contacts?limit=500")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(rec.errs) != 2 {
		t.Errorf("validator reported %d problems, want the request (limit 500) and the response (id): %q", len(rec.errs), rec.errs)
	}
}
