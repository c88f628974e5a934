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

// TestPlaygroundCommand runs `cornershop playground` as a newcomer does,
// with no token and no configuration: it prints the page's address, the
// page and the emulators' user-side APIs answer there, the database is
// where --data says, and Ctrl-C stops it cleanly.
func TestPlaygroundCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	data := t.TempDir()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"playground", "--listen", "127.0.0.1:0", "--data", data}, envOf(nil), w, io.Discard)
		w.Close()
	}()
	lines := bufio.NewScanner(out)
	var page string
	for page == "" && lines.Scan() {
		_, page, _ = strings.Cut(lines.Text(), "open ")
		page, _, _ = strings.Cut(page, " ")
	}
	if page == "" {
		t.Fatalf("no address printed: %v", <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	for _, path := range []string{"/", "/scene.json", "/emu/telegram/chats", "/emu/slack/users", "/emu/discord/chats"} {
		resp, err := http.Get(page + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", path, resp.StatusCode)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "playground.db")); err != nil {
		t.Errorf("no database in --data: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("playground stopped with %v", err)
	}
}
