package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core/store"
)

// TestEraseSurvivesKillNine runs the real binary against the three
// emulators with a Discord desk (Telegram and Discord customers) and a
// Slack desk (Slack customers), erases two contacts through the API — one
// whose copies are on each desk — while the emulators answer deletions
// slowly, SIGKILLs the binary with the desk deletions still in flight and
// restarts it. Then: no live desk message on either emulator still holds
// their words, every other customer's copies are intact, no delivery is
// pending or failed, a second erase does nothing, and (service stopped)
// nothing of theirs is left in the database.
func TestEraseSurvivesKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	bin := cornershopBinary(t)
	t.Run("sqlite", func(t *testing.T) { eraseKillNine(t, bin, "") })
	t.Run("postgres", func(t *testing.T) { eraseKillNine(t, bin, bottest.PostgresSchema(t)) }) // skipped without a PostgreSQL DSN
}

const eraseAPIToken = "crash-test-admin-token-0123456789abcdef"

func eraseKillNine(t *testing.T, bin, pgDSN string) {
	const convs, each = 6, 4 // 2 customers on each platform, 4 messages each
	began := time.Now()
	dir := t.TempDir()
	w := newCrashWorld(t, convs)
	w.slDesk = w.sl.AddChannel("desk", false)
	driver, dsn := "sqlite", filepath.Join(dir, "crash.db")
	if pgDSN != "" {
		driver, dsn = "postgres", pgDSN
	}
	cfg := w.config(t, dir, driver, 2)
	appendConfig(t, cfg, "api:\n  tokens:\n    - name: ops\n      scopes: [admin]\n")
	env := append(w.env(dsn), "CORNERSHOP_API_TOKENS_0_SECRET="+eraseAPIToken)
	logs := serveLog(t, dir, 6000)
	srv := startServer(t, bin, cfg, env, logs)
	defer func() { srv.kill() }()
	if !waitUntil(30*time.Second, srv.ready) {
		t.Fatal("the service did not connect to all three emulators")
	}
	db := openResults(t, driver, dsn)
	for range each {
		for _, c := range w.convs {
			if err := w.write(c); err != nil {
				t.Fatalf("customer %d: %v", c.n, err)
			}
		}
	}
	if !waitUntil(60*time.Second, func() bool { return len(w.deskCopies()) == convs*each }) {
		t.Fatalf("%d of %d customer messages reached a desk", len(w.deskCopies()), convs*each)
	}

	// The erased: a Telegram customer (Discord desk) and a Slack one
	// (Slack desk).
	gone := map[int]bool{0: true, 1: true}
	contacts := make([]int64, 0, len(gone))
	for n := range gone {
		q := fmt.Sprintf(`SELECT contact_id FROM conversations WHERE customer_chat = '%s'`, w.convs[n].chat)
		var id int64
		if err := db.QueryRow(q).Scan(&id); err != nil {
			t.Fatalf("customer %d's contact: %v", n, err)
		}
		contacts = append(contacts, id)
	}
	// Deletions answered late: the kill finds them in flight.
	w.sl.SetLatency(300 * time.Millisecond)
	w.dc.SetLatency("DELETE", 300*time.Millisecond)
	copies := w.erasedCopies(gone)
	for _, id := range contacts {
		if code, body := eraseContact(t, srv, id); code != http.StatusOK {
			t.Fatalf("erase of contact %d: %d %s", id, code, body)
		}
	}
	// Kill in the middle: once the first deletion has landed.
	if !waitUntil(10*time.Second, func() bool { return w.erasedCopies(gone) < copies }) {
		t.Log("no deletion landed within 10 s of the erase")
	}
	srv.kill()
	left := w.erasedCopies(gone)
	t.Logf("%d of %d desk copies of the erased were still there at the kill", left, copies)
	if left == 0 {
		t.Fatal("every desk copy was gone before the kill: the restart proves nothing")
	}
	w.sl.SetLatency(0)
	w.dc.SetLatency("DELETE", 0)
	srv = startServer(t, bin, cfg, env, logs)

	var pending, failed int
	settled := waitUntil(60*time.Second, func() bool {
		if db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE state = 'pending'`).Scan(&pending) != nil {
			return false
		}
		return pending == 0 && w.erasedCopies(gone) == 0
	})
	_ = db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE state = 'failed'`).Scan(&failed)
	if !settled {
		t.Errorf("after the restart: %d desk copies of the erased left, %d deliveries pending", w.erasedCopies(gone), pending)
	}
	if failed != 0 {
		t.Errorf("%d deliveries failed", failed)
	}
	kept := w.deskCopies()
	for _, c := range w.convs {
		for seq := range each {
			tk := token{kind: 'm', conv: c.n, seq: seq}
			if !gone[c.n] && kept[tk] != 1 {
				t.Errorf("customer %d's message %d has %d desk copies, want 1", c.n, seq, kept[tk])
			}
		}
	}
	// A second erase of the same contact deletes nothing twice: its
	// deletions were keyed by the copies, and nothing fails.
	count := func(q string) int {
		n := -1
		_ = db.QueryRow(q).Scan(&n)
		return n
	}
	const deletes = `SELECT COUNT(*) FROM deliveries WHERE op = 'delete'`
	before := count(deletes)
	for _, id := range contacts {
		code, body := eraseContact(t, srv, id)
		t.Logf("a second erase of contact %d: %d %s", id, code, strings.TrimSpace(body))
	}
	if !waitUntil(30*time.Second, func() bool { return count(`SELECT COUNT(*) FROM deliveries WHERE state = 'pending'`) == 0 }) {
		t.Error("the second erase's deliveries are still pending")
	}
	if after := count(deletes); after != before {
		t.Errorf("the second erase queued %d deletions more", after-before)
	}
	if n := count(`SELECT COUNT(*) FROM deliveries WHERE state = 'failed'`); n != 0 {
		t.Errorf("%d deliveries failed after the second erase", n)
	}
	srv.stop(t)

	var needles []string
	for n := range gone {
		for seq := range each {
			needles = append(needles, crashText(n, seq))
		}
	}
	st, err := store.Open(context.Background(), store.Options{Driver: driver, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	found, err := st.Occurrences(context.Background(), needles)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("the erased's words are still in the database: %v", found)
	}
	t.Logf("%s run took %s", driver, time.Since(began).Round(time.Millisecond))
}

// eraseContact asks the API to erase contact id and returns the answer.
func eraseContact(t *testing.T, srv *server, id int64) (int, string) {
	t.Helper()
	url := fmt.Sprintf("http://%s/api/v1/contacts/%d/erase", srv.addr, id)
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(fmt.Sprintf(`{"confirm": %d}`, id)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+eraseAPIToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("erase of contact %d: %v", id, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("erase of contact %d: %v", id, err)
	}
	return resp.StatusCode, string(b)
}

// deskCopies counts, per customer message, the live bot messages on both
// desks (Discord threads and their starters, the Slack desk channel)
// whose text shows it.
func (w *crashWorld) deskCopies() map[token]int {
	out := map[token]int{}
	add := func(text string) {
		for _, tk := range tokens(text) {
			if tk.kind == 'm' {
				out[tk]++
			}
		}
	}
	channels := []string{w.desk.ID}
	for _, th := range w.dc.Threads(w.desk.ID) {
		channels = append(channels, th.ID)
	}
	for _, ch := range channels {
		for _, m := range w.dc.BotMessages(ch) {
			if m.Deleted {
				continue
			}
			text := m.Content
			for _, e := range m.Embeds {
				text += " " + e.Title + " " + e.Description
			}
			add(text)
		}
	}
	for _, m := range w.sl.BotMessages(w.slDesk.ID, "") {
		if !m.Deleted {
			add(m.Text + " " + m.Blocks)
		}
	}
	return out
}

// erasedCopies counts the live desk copies of the messages of the
// conversations in gone.
func (w *crashWorld) erasedCopies(gone map[int]bool) int {
	n := 0
	for tk, copies := range w.deskCopies() {
		if gone[tk.conv] {
			n += copies
		}
	}
	return n
}

// stop ends the server as an operator does (SIGTERM: the outbox drains)
// and waits for it.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _ = s.cmd.Process.Wait()
}

// appendConfig adds YAML at the end of the configuration file at path.
func appendConfig(t *testing.T, path, yaml string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(yaml); err != nil {
		t.Fatal(err)
	}
}
