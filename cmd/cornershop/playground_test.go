package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// background runs a command line until the test ends (then wants it to
// stop cleanly) and returns the word following marker in its output.
func background(t *testing.T, marker string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, envOf(nil), w, io.Discard)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s stopped with %v", args[0], err)
		}
	})
	lines := bufio.NewScanner(out)
	var word string
	for word == "" && lines.Scan() {
		_, word, _ = strings.Cut(lines.Text(), marker)
		word, _, _ = strings.Cut(word, " ")
	}
	if word == "" {
		t.Fatalf("%s printed no %q", args[0], marker)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return word
}

// wantOK GETs url and wants 200 and a body containing each of has.
func wantOK(t *testing.T, url string, has ...string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d", url, resp.StatusCode)
	}
	for _, s := range has {
		if !strings.Contains(string(body), s) {
			t.Errorf("GET %s lacks %q: %s", url, s, body)
		}
	}
}

// TestPlaygroundCommand runs `cornershop playground` as a newcomer does,
// with no token and no configuration: it prints the page's address, the
// page and the emulators' user-side APIs answer there, the database is
// where --data says, and Ctrl-C stops it cleanly.
func TestPlaygroundCommand(t *testing.T) {
	data := t.TempDir()
	page := background(t, "open ", "playground", "--listen", "127.0.0.1:0", "--data", data)
	wantOK(t, page+"/", "cornershop playground")
	wantOK(t, page+"/scene.json", "Carla Customer", "Alice Martin", "Erin Player")
	wantOK(t, page+"/emu/telegram/chats", "Acme billing desk")
	wantOK(t, page+"/emu/slack/users", "Dana from Globex")
	wantOK(t, page+"/emu/discord/chats", "#support")
	if _, err := os.Stat(filepath.Join(data, "playground.db")); err != nil {
		t.Errorf("no database in --data: %v", err)
	}
}

// TestEmulateServesTheUserAPI: `cornershop emulate X` says where its
// user-side API is, and it lists the seeded people and chats there.
func TestEmulateServesTheUserAPI(t *testing.T) {
	for _, tc := range []struct{ platform, user, chat string }{
		{"telegram", "Carla Customer", `"kind":"forum"`},
		{"slack", "Dana from Globex", `"kind":"shared"`},
		{"discord", "Erin Player", `"kind":"dm"`},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			api := background(t, "act as its users: ", "emulate", tc.platform, "--listen", "127.0.0.1:0")
			wantOK(t, api+"users", tc.user)
			wantOK(t, api+"chats", tc.chat)
		})
	}
}

// TestReadmeLeadsWithThePlayground: README's first command is the one
// TestPlaygroundCommand runs, so a newcomer's first step is tested, and
// its second runs the whole test suite.
func TestReadmeLeadsWithThePlayground(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(b), "```sh\n")
	first, rest, _ := strings.Cut(block, "\n")
	if !strings.HasPrefix(first, "go run ./cmd/cornershop playground ") {
		t.Errorf("README's first command is %q, want the playground", first)
	}
	if second, _, _ := strings.Cut(rest, "\n"); !strings.HasPrefix(second, "go test -race ./... ") {
		t.Errorf("README's second command is %q, want the whole test suite", second)
	}
}
