package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", to read the PostgreSQL run's results

	"cornershop/bots/telegram/telegramfake"
)

// TestKillNineLosesNothing runs the real binary against the Telegram
// emulator, kills it with SIGKILL three times while customers write, and
// restarts it each time. Every customer message must be recorded exactly
// once with exactly one desk delivery owed or made, none failed; the desk
// copies that arrived are checked for duplicates (a send the platform
// accepted just before a kill, whose receipt was not yet recorded, is the
// one way to get one). Telegram allows 20 messages a minute into one group,
// so the desk copies trail far behind the customers: the test does not
// wait for all of them.
func TestKillNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	t.Run("sqlite", func(t *testing.T) { killNine(t, "") })
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("CORNERSHOP_TEST_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("CORNERSHOP_TEST_POSTGRES_DSN not set; the PostgreSQL crash test runs in CI")
		}
		killNine(t, freshSchema(t, dsn))
	})
}

// freshSchema creates an empty schema for one test and returns a DSN that
// uses it; the schema is dropped when the test ends.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("crash_%d", rand.Int64N(1<<40))
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// killNine is the crash test on SQLite (pgDSN empty) or PostgreSQL.
func killNine(t *testing.T, pgDSN string) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "cornershop")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	fake, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	staff := fake.AddUser("Alice", "Martin", "alice")
	desk := fake.AddGroup("Desk", true, true, staff)
	var customers []telegramfake.User
	for i := range 20 {
		customers = append(customers, fake.AddUser(fmt.Sprintf("Customer%d", i), "", ""))
	}
	db := filepath.Join(dir, "crash.db")
	cfg := filepath.Join(dir, "cornershop.yaml")
	driver := "sqlite"
	if pgDSN != "" {
		driver = "postgres"
	}
	yaml := fmt.Sprintf(`database:
  driver: %s
http:
  listen: "127.0.0.1:0"
log:
  format: json
outbox:
  base_backoff: 100ms
  max_backoff: 1s
staff:
  - id: alice
    name: Alice Martin
    identities: {telegram: "%d"}
desks:
  - name: desk
    platform: telegram
    channel: "%d"
telegram:
  enabled: true
  api_url: %s
  poll_timeout: 1s
`, driver, staff.ID, desk.ID, fake.URL())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	logs, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--config", cfg)
		dsn := db
		if pgDSN != "" {
			dsn = pgDSN
		}
		cmd.Env = append(os.Environ(), "CORNERSHOP_TELEGRAM_TOKEN="+fake.Token(), "CORNERSHOP_DATABASE_DSN="+dsn)
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	proc := start()
	defer func() { _ = proc.Process.Kill(); _, _ = proc.Process.Wait() }()

	const total = 600
	kills := map[int]bool{}
	for len(kills) < 3 {
		kills[100+rand.IntN(total-200)] = true
	}
	for i := range total {
		if kills[i] {
			_ = proc.Process.Kill() // SIGKILL: no drain, no goodbye
			_, _ = proc.Process.Wait()
			proc = start()
		}
		c := customers[i%len(customers)]
		if _, err := fake.SendText(c.ID, 0, c, fmt.Sprintf("msg-%04d from %s", i, c.FirstName)); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			time.Sleep(20 * time.Millisecond) // let the service work while customers keep writing
		}
	}

	sqlDB, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)&mode=ro")
	if pgDSN != "" {
		sqlDB, err = sql.Open("pgx", pgDSN)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	copies := func() map[string]int {
		seen := map[string]int{}
		for _, m := range fake.BotMessages(desk.ID, 0) {
			if i := strings.Index(m.Text, "msg-"); i >= 0 {
				seen[m.Text[i:i+8]]++
			}
		}
		return seen
	}
	deadline := time.Now().Add(60 * time.Second)
	var recorded, distinct int
	for time.Now().Before(deadline) {
		_ = sqlDB.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT text) FROM messages WHERE direction = 'inbound'`).Scan(&recorded, &distinct)
		if recorded >= total {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if recorded != total || distinct != total {
		t.Fatalf("recorded %d customer messages (%d distinct), want each of %d exactly once", recorded, distinct, total)
	}
	var owed, failed, orphans int
	_ = sqlDB.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE op = 'send' AND side = 'desk'`).Scan(&owed)
	_ = sqlDB.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE state = 'failed'`).Scan(&failed)
	_ = sqlDB.QueryRow(`SELECT COUNT(*) FROM messages m WHERE m.direction = 'inbound' AND NOT EXISTS
		(SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.op = 'send' AND d.side = 'desk')`).Scan(&orphans)
	if owed != total || orphans != 0 || failed != 0 {
		t.Errorf("desk deliveries: %d owed or made for %d messages, %d messages without one, %d failed", owed, total, orphans, failed)
	}
	seen := copies()
	dups := 0
	for _, n := range seen {
		dups += n - 1
	}
	if dups > len(kills) {
		t.Errorf("%d duplicate desk copies after %d kills: more than one per kill", dups, len(kills))
	}
	var topics int
	_ = sqlDB.QueryRow(`SELECT COUNT(*) FROM conversations`).Scan(&topics)
	if topics != len(customers) {
		t.Errorf("%d conversations, want %d (one per customer)", topics, len(customers))
	}
	t.Logf("%d messages, kills after messages %v: each recorded once with one desk delivery; %d desk copies arrived so far (Telegram paces a group at 20/min), %d duplicates",
		total, keys(kills), len(seen), dups)
}

func keys(m map[int]bool) []string {
	var out []string
	for k := range m {
		out = append(out, strconv.Itoa(k))
	}
	return out
}
