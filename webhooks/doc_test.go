package webhooks_test

import (
	"os"
	"strings"
	"testing"
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
