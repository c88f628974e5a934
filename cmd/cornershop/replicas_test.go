package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cornershop/bots/telegram/telegramfake"
)

// replica is one `cornershop serve` process.
type replica struct {
	cmd  *exec.Cmd
	addr string
}

func (r *replica) holds(t *testing.T, platform string) bool {
	resp, err := http.Get("http://" + r.addr + "/readyz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.Contains(string(b), platform+": connected here")
}

// TestReplicasTakeOver runs three replicas on one PostgreSQL database
// against the Telegram emulator. Exactly one holds the Telegram connection;
// killing it (SIGKILL), then the next, hands the connection over within 5 s
// each time, and every customer message is recorded once with one desk
// delivery.
func TestReplicasTakeOver(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three replicas; skipped with -short")
	}
	dsn := os.Getenv("CORNERSHOP_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CORNERSHOP_TEST_POSTGRES_DSN not set; the replica test needs PostgreSQL and runs in CI")
	}
	dsn = freshSchema(t, dsn)
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
	customer := fake.AddUser("Carla", "", "")
	cfg := filepath.Join(dir, "cornershop.yaml")
	yaml := fmt.Sprintf("database:\n  driver: postgres\nhttp:\n  listen: \"127.0.0.1:0\"\nstaff:\n  - {id: alice, name: Alice, identities: {telegram: \"%d\"}}\n"+
		"desks:\n  - {name: desk, platform: telegram, channel: \"%d\"}\ntelegram:\n  enabled: true\n  api_url: %s\n  poll_timeout: 1s\n", staff.ID, desk.ID, fake.URL())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	logs, err := os.Create(filepath.Join(dir, "replicas.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	serving := regexp.MustCompile(`serving on (\S+)`)
	start := func() *replica {
		cmd := exec.Command(bin, "serve", "--config", cfg)
		cmd.Env = append(os.Environ(), "CORNERSHOP_TELEGRAM_TOKEN="+fake.Token(), "CORNERSHOP_DATABASE_DSN="+dsn)
		cmd.Stderr = logs
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		m := serving.FindStringSubmatch(line)
		if err != nil || m == nil {
			t.Fatalf("replica did not start: %q %v", line, err)
		}
		go func() { _, _ = io.Copy(io.Discard, out) }()
		return &replica{cmd: cmd, addr: m[1]}
	}
	replicas := []*replica{start(), start(), start()}
	defer func() {
		for _, r := range replicas {
			_ = r.cmd.Process.Kill()
			_, _ = r.cmd.Process.Wait()
		}
	}()
	holder := func() (*replica, int) {
		var h *replica
		n := 0
		for _, r := range replicas {
			if r.cmd.ProcessState == nil && r.holds(t, "telegram") {
				h, n = r, n+1
			}
		}
		return h, n
	}
	waitHolder := func(within time.Duration) *replica {
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if h, n := holder(); n == 1 {
				return h
			} else if n > 1 {
				t.Fatalf("%d replicas hold the Telegram connection at once", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("no replica took the Telegram connection within %s", within)
		return nil
	}
	sent := 0
	send := func(n int) {
		for range n {
			if _, err := fake.SendText(customer.ID, 0, customer, fmt.Sprintf("msg-%04d", sent)); err != nil {
				t.Fatal(err)
			}
			sent++
		}
	}
	h := waitHolder(15 * time.Second)
	send(50)
	for round := range 2 {
		_ = h.cmd.Process.Kill()
		_, _ = h.cmd.Process.Wait()
		killed := time.Now()
		send(50) // customers keep writing while nobody polls
		h = waitHolder(5 * time.Second)
		t.Logf("round %d: a surviving replica took over the Telegram connection %s after the kill", round+1, time.Since(killed).Round(time.Millisecond))
	}
	send(50)

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var recorded, distinct, owed int
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_ = db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT text) FROM messages WHERE direction = 'inbound'`).Scan(&recorded, &distinct)
		if recorded >= sent {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE op = 'send' AND side = 'desk'`).Scan(&owed)
	if recorded != sent || distinct != sent || owed != sent {
		t.Errorf("after two takeovers: %d recorded (%d distinct), %d desk deliveries, for %d messages sent", recorded, distinct, owed, sent)
	}
}
