package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecode: no body makes decoding or checking a request panic; every
// failure is a field error (400) or the size limit (413).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"tags": ["a"]}`, `{"fields": {"a": "b"}}`, `{"staff_id": "x", "text": "y"}`, `[`, `{"tags": [1]}`,
		`{"fields": null}`, `{"tags": null}`, `"str"`, `null`, `{"a":1}`, "\x00", `{"text": "\ud800"}`, `{} []`,
		`{"fields": {"": "x"}}`, `{"tags": ["` + strings.Repeat("x", 70) + `"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []interface{ check() error }{&contactPatchCheck{}, &say{}} {
			r := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
			w := httptest.NewRecorder()
			err := decode(w, r, v)
			if err == nil {
				err = v.check()
			}
			var fe *fieldError
			var big *http.MaxBytesError
			if err != nil && !errors.As(err, &fe) && !errors.As(err, &big) {
				t.Errorf("decode(%q) = %T %v, want a field error", body, err, err)
			}
		}
	})
}

// contactPatchCheck adapts contactPatch.check to the fuzz target.
type contactPatchCheck struct{ contactPatch }

func (c *contactPatchCheck) check() error {
	_, err := c.contactPatch.check()
	return err
}

func TestCursor(t *testing.T) {
	tests := []struct {
		raw   string
		list  string
		want  int64
		valid bool
	}{
		{encodeCursor("contacts", 42), "contacts", 42, true},
		{encodeCursor("contacts", 0), "contacts", 0, true},
		{encodeCursor("messages", 42), "contacts", 0, false},
		{"!!!", "contacts", 0, false},
		{"djE6Y29udGFjdHM6LTE", "contacts", 0, false}, // v1:contacts:-1
		{"djE6Y29udGFjdHM6eA", "contacts", 0, false},  // v1:contacts:x
		{"", "contacts", 0, true},
	}
	for _, tc := range tests {
		q := &query{r: httptest.NewRequest("GET", "/?cursor="+tc.raw, nil)}
		got := q.cursor(tc.list)
		if got != tc.want || (q.err == nil) != tc.valid {
			t.Errorf("cursor(%q, %s) = %d, %v; want %d, valid %v", tc.raw, tc.list, got, q.err, tc.want, tc.valid)
		}
	}
}

func TestAuthenticator(t *testing.T) {
	good := strings.Repeat("s", 32)
	for _, tc := range []struct {
		name   string
		tokens []Token
		ok     bool
	}{
		{"fine", []Token{{Name: "a", Secret: good, Scopes: []Scope{ScopeRead}}}, true},
		{"short secret", []Token{{Name: "a", Secret: "short", Scopes: []Scope{ScopeRead}}}, false},
		{"no name", []Token{{Secret: good}}, false},
		{"same name", []Token{{Name: "a", Secret: good}, {Name: "a", Secret: good + "x"}}, false},
		{"bad scope", []Token{{Name: "a", Secret: good, Scopes: []Scope{"root"}}}, false},
	} {
		_, err := newAuthenticator(tc.tokens)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if err != nil && strings.Contains(err.Error(), good) {
			t.Errorf("%s: the error shows the secret", tc.name)
		}
	}
	a, _ := newAuthenticator([]Token{{Name: "r", Secret: good, Scopes: []Scope{ScopeRead}}, {Name: "w", Secret: good + "w", Scopes: []Scope{ScopeWrite}}})
	if tok, ok := a.find(good + "w"); !ok || tok.Name != "w" || tok.Secret != "" || !tok.has(ScopeRead) || tok.has(ScopeAdmin) {
		t.Errorf("find = %+v, %v", tok, ok)
	}
	if _, ok := a.find(good[:31]); ok {
		t.Error("a prefix of a secret was accepted")
	}
}
