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
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
)

// cluster is a set of `cornershop serve` processes sharing one PostgreSQL
// database and one configuration.
type cluster struct {
	t    *testing.T
	bin  string
	cfg  string
	env  []string
	logs *os.File
	dsn  string

	mu       sync.Mutex
	replicas []*replica
}

// replica is one `cornershop serve` process.
type replica struct {
	n    int
	cmd  *exec.Cmd
	addr string
	dead bool
}

// newCluster builds the binary and prepares replicas that run with the
// configuration yaml and extra environment env on a fresh schema of the
// test database. It skips the test without CORNERSHOP_TEST_POSTGRES_DSN.
func newCluster(t *testing.T, yaml string, env ...string) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs several replicas; skipped with -short")
	}
	dsn := bottest.PostgresSchema(t) // skips without a PostgreSQL DSN
	dir := t.TempDir()
	c := &cluster{t: t, bin: cornershopBinary(t), cfg: filepath.Join(dir, "cornershop.yaml"), dsn: dsn}
	if err := os.WriteFile(c.cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var err error
	if c.logs, err = os.Create(filepath.Join(dir, "replicas.log")); err != nil {
		t.Fatal(err)
	}
	c.env = append(append(os.Environ(), "CORNERSHOP_DATABASE_DSN="+dsn), env...)
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, r := range c.replicas {
			if !r.dead && r.cmd != nil && r.cmd.Process != nil {
				_ = r.cmd.Process.Kill()
				_, _ = r.cmd.Process.Wait()
			}
		}
		c.logs.Close()
		if t.Failed() {
			if b, err := os.ReadFile(c.logs.Name()); err == nil {
				t.Logf("replica logs (last 8 KB):\n%s", tailBytes(b, 8<<10))
			}
		}
	})
	return c
}

func tailBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

var serving = regexp.MustCompile(`serving on (\S+)`)

// start runs one more replica and returns once it serves HTTP.
func (c *cluster) start() *replica { return c.startAll(1)[0] }

// startAll starts n more replicas at once (on an empty schema they race
// to migrate) and returns once each serves HTTP.
func (c *cluster) startAll(n int) []*replica {
	c.t.Helper()
	var rs []*replica
	var outs []*bufio.Reader
	for range n {
		c.mu.Lock()
		r := &replica{n: len(c.replicas)}
		c.replicas = append(c.replicas, r)
		c.mu.Unlock()
		r.cmd = exec.Command(c.bin, "serve", "--config", c.cfg)
		r.cmd.Env = c.env
		r.cmd.Stderr = &prefixWriter{w: c.logs, prefix: fmt.Sprintf("[replica %d] ", r.n)}
		out, err := r.cmd.StdoutPipe()
		if err != nil {
			c.t.Fatal(err)
		}
		if err := r.cmd.Start(); err != nil {
			c.t.Fatal(err)
		}
		rs, outs = append(rs, r), append(outs, bufio.NewReader(out))
	}
	for i, r := range rs {
		line, err := outs[i].ReadString('\n')
		m := serving.FindStringSubmatch(line)
		if err != nil || m == nil {
			c.t.Fatalf("replica %d did not start: %q %v", r.n, line, err)
		}
		go func() { _, _ = io.Copy(io.Discard, outs[i]) }()
		r.addr = m[1]
	}
	return rs
}

// kill ends a replica with SIGKILL: no drain, no unlock, no goodbye.
func (c *cluster) kill(r *replica) {
	_ = r.cmd.Process.Kill()
	_, _ = r.cmd.Process.Wait()
	c.mu.Lock()
	r.dead = true
	c.mu.Unlock()
}

// alive lists the replicas not killed.
func (c *cluster) alive() []*replica {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*replica
	for _, r := range c.replicas {
		if !r.dead {
			out = append(out, r)
		}
	}
	return out
}

// holds lists the connections a replica's /readyz says it holds.
func (r *replica) holds() []string {
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + r.addr + "/readyz")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutSuffix(line, ": connected here"); ok {
			out = append(out, p)
		}
	}
	return out
}

// holders asks every live replica which connections it holds, failing
// the test when two hold the same one.
func (c *cluster) holders() map[string]*replica {
	by := map[string]*replica{}
	for _, r := range c.alive() {
		for _, p := range r.holds() {
			if other, ok := by[p]; ok {
				c.t.Fatalf("replicas %d and %d both hold the %s connection", other.n, r.n, p)
			}
			by[p] = r
		}
	}
	return by
}

// holder returns the live replica holding platform's connection, or nil.
func (c *cluster) holder(platform string) *replica { return c.holders()[platform] }

// waitHolders waits until each platform's connection is held by a live
// replica, and returns how long each took (from since) and who holds it.
func (c *cluster) waitHolders(since time.Time, within time.Duration, platforms ...string) (map[string]time.Duration, map[string]*replica) {
	c.t.Helper()
	took, by := map[string]time.Duration{}, map[string]*replica{}
	deadline := since.Add(within)
	for len(by) < len(platforms) {
		now := c.holders()
		for _, p := range platforms {
			if _, ok := by[p]; !ok && now[p] != nil {
				took[p], by[p] = time.Since(since), now[p]
			}
		}
		if len(by) < len(platforms) {
			if time.Now().After(deadline) {
				c.t.Fatalf("after %s only %d of the connections %v are held: %v", within, len(by), platforms, by)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	return took, by
}

// logLines returns the replicas' log lines containing s.
func (c *cluster) logLines(s string) []string {
	b, err := os.ReadFile(c.logs.Name())
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// db opens the cluster's schema for the test's own queries.
func (c *cluster) db() *sql.DB {
	c.t.Helper()
	db, err := sql.Open("pgx", c.dsn)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { db.Close() })
	return db
}

// prefixWriter prefixes each write (one log line, for slog) with a tag.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

// TestReplicasTakeOver runs three replicas as separate processes on one
// PostgreSQL database against the Telegram, Discord and Slack (Socket
// Mode) emulators. Customers on all three write steadily and staff
// answer from a Discord and a Slack desk while the replica holding every
// connection is killed (SIGKILL), then the one holding Discord. Each
// time a survivor holds each connection again within 5 s; in the end
// every customer message and staff reply is recorded once, in order per
// conversation, and reaches the other side in order, with duplicates
// bounded by the deliveries a killed replica had in flight (a send the
// platform accepted just before the kill, whose receipt was not yet
// recorded, is sent again after its lease).
func TestReplicasTakeOver(t *testing.T) {
	w := newWorld(t)
	c := newCluster(t, w.yaml(), w.env()...)
	platforms := []string{"telegram", "discord", "slack"}
	began := time.Now()
	first := c.start()
	if _, by := c.waitHolders(began, 20*time.Second, platforms...); by["telegram"] != first || by["discord"] != first || by["slack"] != first {
		t.Fatalf("the only replica does not hold every connection: %v", by)
	}
	c.start()
	c.start()
	db := c.db()
	// Discord answers sends late (they take effect at once), so a killed
	// replica has sends Discord made whose receipts it never recorded:
	// the window where a delivery can be made twice, now wide open.
	w.dc.SetAnswerLatency("POST /channels/", 300*time.Millisecond)
	w.dc.SetAnswerLatency("POST /webhooks/", 300*time.Millisecond)

	stop := make(chan struct{})
	var traffic sync.WaitGroup
	every := func(d time.Duration, fn func(n int)) {
		traffic.Go(func() {
			tick := time.NewTicker(d)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-tick.C:
					fn(n)
				}
			}
		})
	}
	// Conversations 0, 3, 6 are on Telegram, 1, 4, 7 on Discord, 2, 5, 8
	// on Slack: 4 messages a second from Telegram, 4 from Discord, 1 from
	// Slack (its desk takes about one a second), and 2 staff replies.
	every(250*time.Millisecond, func(n int) { w.customerWrites(n % 3 * 3) })
	every(250*time.Millisecond, func(n int) { w.customerWrites(n%3*3 + 1) })
	every(time.Second, func(n int) { w.customerWrites(n%3*3 + 2) })
	every(500*time.Millisecond, func(n int) { w.staffAnswers(db, n%9) })

	time.Sleep(4 * time.Second)
	type round struct {
		killed int
		held   []string
		took   map[string]time.Duration
	}
	var rounds []round
	victim := first
	for range 2 {
		_, by := c.waitHolders(time.Now(), 10*time.Second, platforms...)
		var held []string
		for _, p := range platforms {
			if by[p] == victim {
				held = append(held, p)
			}
		}
		c.kill(victim)
		killed := time.Now()
		took, by := c.waitHolders(killed, 5*time.Second, held...)
		rounds = append(rounds, round{killed: victim.n, held: held, took: took})
		t.Logf("killed replica %d holding %v: taken over by %v", victim.n, held, describe(took, by))
		time.Sleep(5 * time.Second)
		// Then the Discord holder: its catch-up is the hard part.
		_, by = c.waitHolders(time.Now(), 10*time.Second, platforms...)
		victim = by["discord"]
	}
	close(stop)
	traffic.Wait()
	sentAt := time.Now()

	// Wait until everything written arrived on the other side and the
	// outbox is empty.
	var copies, replies map[string][]string
	var pending int
	deadline := time.Now().Add(90 * time.Second)
	for {
		copies, replies = w.delivered()
		_ = db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE state = 'pending'`).Scan(&pending)
		if (w.tally(w.written, copies).missing == 0 && w.tally(w.answers, replies).missing == 0 && pending == 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	drained := time.Since(sentAt)
	for _, line := range c.logLines("discord catch-up") {
		t.Log(line)
	}
	inbound, recordedReplies := w.recorded(db)
	recIn, recRe := w.tally(w.written, inbound), w.tally(w.answers, recordedReplies)
	delIn, delRe := w.tally(w.written, copies), w.tally(w.answers, replies)
	var failed int
	_ = db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE state = 'failed'`).Scan(&failed)
	dmReplies := w.tally(only(w.answers, "discord:"), only(replies, "discord:"))
	t.Logf("customer messages: recorded %v; desk copies %v", recIn, delIn)
	t.Logf("replies at Discord DMs (bot messages with a nonce): %v", dmReplies)
	t.Logf("staff replies: recorded %v; at the customers %v", recRe, delRe)
	t.Logf("drained %s after the traffic stopped; %d deliveries pending, %d failed; pacing violations: telegram %d, slack %d; whole test %s",
		drained.Round(time.Millisecond), pending, failed, w.tg.Violations(), w.sl.Violations(), time.Since(began).Round(time.Second))
	for what, tl := range map[string]tally{"customer messages recorded": recIn, "staff replies recorded": recRe} {
		if tl.missing != 0 || tl.dups != 0 || tl.disorder != 0 || tl.want == 0 {
			t.Errorf("%s: %v; want each once, in order", what, tl)
		}
	}
	// A killed replica had at most outbox.workers (4) sends in flight.
	for what, tl := range map[string]tally{"desk copies": delIn, "replies at the customers": delRe} {
		if tl.missing != 0 || tl.disorder != 0 || tl.dups > 4*len(rounds) {
			t.Errorf("%s: %v; want each once, in order", what, tl)
		}
	}
	if dmReplies.dups != 0 {
		t.Errorf("replies at Discord DMs: %v; the nonce should make a resent reply show once", dmReplies)
	}
	if pending != 0 || failed != 0 {
		t.Errorf("%d deliveries still pending, %d failed", pending, failed)
	}
}

// only keeps the conversations whose key starts with prefix.
func only(m map[string][]string, prefix string) map[string][]string {
	out := map[string][]string{}
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// describe renders takeover times and new holders.
func describe(took map[string]time.Duration, by map[string]*replica) string {
	var parts []string
	for p, d := range took {
		parts = append(parts, fmt.Sprintf("%s → replica %d in %s", p, by[p].n, d.Round(time.Millisecond)))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
