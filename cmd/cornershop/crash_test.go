package main

import (
	"bufio"
	"database/sql"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", to read the PostgreSQL run's results

	"cornershop/bots/bottest"
)

// Crash test scale: the figures (5,000 customer messages over 200
// conversations on all three platforms, staff answering one message in
// five, three SIGKILLs).
const (
	crashMessages = 5000
	crashConvs    = 200
	crashReplyOne = 5 // staff answer after every crashReplyOne-th customer message
	crashKills    = 3
	crashWorkers  = 16 // outbox.workers: the sends a kill can find in flight
)

// TestKillNineLosesNothing runs the real binary against the three
// emulators, kills it with SIGKILL three times while customers write on
// Telegram, Slack and Discord and staff answer from a Discord desk, and
// restarts it each time. Then it checks, from the database and from what
// the emulators received (see checkCrash): every customer message and
// every staff reply recorded exactly once, every one delivered, nothing
// delivered twice beyond the documented window, per-conversation order on
// both sides, and no delivery left pending or failed.
func TestKillNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	bin := cornershopBinary(t)
	t.Run("sqlite", func(t *testing.T) { killNine(t, bin, "") })
	t.Run("postgres", func(t *testing.T) { killNine(t, bin, bottest.PostgresSchema(t)) }) // skipped without a PostgreSQL DSN
}

// server is one run of `cornershop serve`.
type server struct {
	cmd  *exec.Cmd
	addr string
}

var servingRE = regexp.MustCompile(`serving on (\S+)`)

// startServer runs the binary and waits for its HTTP address.
func startServer(t *testing.T, bin, cfg string, env []string, logs io.Writer) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Env = env
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	m := servingRE.FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("serve did not start: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(logs, r) }()
	return &server{cmd: cmd, addr: m[1]}
}

// ready reports whether the server holds all three platform connections.
func (s *server) ready() bool {
	resp, err := http.Get("http://" + s.addr + "/readyz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, p := range []string{"telegram", "slack", "discord"} {
		if !strings.Contains(string(b), p+": connected here") {
			return false
		}
	}
	return true
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill() // SIGKILL: no drain, no goodbye
	_, _ = s.cmd.Process.Wait()
}

// waitUntil polls cond every 50 ms until it holds or within passes.
func waitUntil(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// killNine is the crash test on SQLite (pgDSN empty) or PostgreSQL.
func killNine(t *testing.T, bin, pgDSN string) {
	began := time.Now()
	dir := t.TempDir()
	w := newCrashWorld(t, crashConvs)
	driver, dsn := "sqlite", filepath.Join(dir, "crash.db")
	if pgDSN != "" {
		driver, dsn = "postgres", pgDSN
	}
	cfg := w.config(t, dir, driver, crashWorkers)
	logs := serveLog(t, dir, 6000)
	srv := startServer(t, bin, cfg, w.env(dsn), logs)
	defer func() { srv.kill() }()
	if !waitUntil(30*time.Second, srv.ready) {
		t.Fatal("the service did not connect to all three emulators")
	}
	db := openResults(t, driver, dsn)

	// Kill points: after every conversation has started (a Discord DM
	// nobody has written in yet is invisible to a bot until its first
	// message arrives, see docs/architecture.md "Crash safety"), spread over the rest.
	kills := map[int]bool{}
	for len(kills) < crashKills {
		kills[crashConvs*2+rand.IntN(crashMessages-crashConvs*3)] = true
	}
	threads := map[string]string{} // customer chat -> desk thread
	replies := 0
	for i := range crashMessages {
		if kills[i] {
			srv.kill()
			srv = startServer(t, bin, cfg, w.env(dsn), logs)
		}
		c := w.convs[i%len(w.convs)]
		if err := w.write(c); err != nil {
			t.Fatalf("customer %d: %v", c.n, err)
		}
		if i%crashReplyOne == 0 {
			if i%500 == 0 {
				deskThreads(db, threads)
			}
			// Staff answer a random conversation whose thread exists.
			a := w.convs[rand.IntN(len(w.convs))]
			if a.thread == "" {
				a.thread = threads[a.chat]
			}
			if a.thread != "" {
				if err := w.answer(a); err != nil {
					t.Fatalf("staff reply in %s: %v", a.thread, err)
				}
				replies++
			}
		}
		if i%25 == 0 {
			// Customers write at about 1,000 messages a second in
			// bursts: the service has a backlog to be killed in.
			time.Sleep(25 * time.Millisecond)
		}
	}
	sentAt := time.Since(began)
	t.Logf("sent %d customer messages and %d staff replies in %s, kills after messages %v", crashMessages, replies, sentAt.Round(time.Millisecond), sortedKeys(kills))
	checkCrash(t, w, db, crashMessages, replies, len(kills), crashWorkers)
	if b, err := os.ReadFile(logs.Name()); err == nil {
		t.Logf("cut-off Discord sends found already landed after a kill, not posted again: %d", strings.Count(string(b), "a cut-off send had landed"))
	}
	t.Logf("%s run took %s", driver, time.Since(began).Round(time.Millisecond))
}

func openResults(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if driver == "sqlite" {
		db, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)&mode=ro")
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// deskThreads adds the desk threads the database knows to threads.
func deskThreads(db *sql.DB, threads map[string]string) {
	rows, err := db.Query(`SELECT customer_chat, desk_thread FROM conversations WHERE desk_thread <> ''`)
	if err != nil {
		return // the database may be locked by a starting service: try later
	}
	defer rows.Close()
	for rows.Next() {
		var chat, thread string
		if rows.Scan(&chat, &thread) == nil {
			threads[chat] = thread
		}
	}
}

func sortedKeys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// warnings keeps the log lines above info level, and the first of each
// kind of info line.
func warnings(log string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if !strings.Contains(l, `"level":"INFO"`) || strings.Contains(l, "read back") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
