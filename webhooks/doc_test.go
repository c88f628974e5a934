package webhooks_test

import (
	"os"
	"strings"
	"testing"

	"cornershop/core"
)

// TestDocShowsTheTestedVerifier keeps docs/webhooks.md honest: the
// verification function it shows is, byte for byte, the one
// Example_verify runs.
func TestDocShowsTheTestedVerifier(t *testing.T) {
	ex, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	src := string(ex)
	start, end := strings.Index(src, "// verifyCornershop is"), strings.Index(src, "// A receiver verifies")
	if start < 0 || end < start {
		t.Fatal("example_test.go no longer has verifyCornershop followed by Example_verify")
	}
	fn := strings.TrimSpace(src[start:end])
	if !strings.Contains(string(doc), "```go\n"+fn+"\n```") {
		t.Errorf("docs/webhooks.md does not show verifyCornershop as example_test.go has it:\n%s", fn)
	}
}

// TestDocListsEveryEventType: every event type core records has a row in
// docs/webhooks.md's events table, and the table names no other.
func TestDocListsEveryEventType(t *testing.T) {
	doc, err := os.ReadFile("../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			if typ, _, ok := strings.Cut(rest, "` |"); ok && strings.Contains(typ, ".") {
				rows[typ] = true
			}
		}
	}
	for _, typ := range core.EventTypes {
		if !rows[string(typ)] {
			t.Errorf("docs/webhooks.md has no row for %s", typ)
		}
		delete(rows, string(typ))
	}
	for typ := range rows {
		t.Errorf("docs/webhooks.md lists %s, which is not an event type", typ)
	}
}
