package main

import (
	"cmp"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Outage test scale: small in CI; CORNERSHOP_OUTAGE_MESSAGES (and
// CORNERSHOP_OUTAGE_CONVS) make it bigger by hand, and
// CORNERSHOP_OUTAGE_STOP=immediate stops the server without a clean
// shutdown (pg_ctl's modes; fast by default).
const (
	outageMessages = 300
	outageConvs    = 30
	outageFor      = 10 * time.Second
	outageSendFor  = 30 * time.Second // customers write over about this long
)

// TestDatabaseOutageLosesNothing runs the real binary on a PostgreSQL
// server of the test's own against the three emulators, stops the server
// for ten seconds while customers write on Telegram, Slack and Discord and
// staff answer from a Discord desk, and starts it again — without
// restarting cornershop. Every customer message and staff reply must be
// recorded once and delivered once, in order, with nothing left pending or
// failed (checkCrash, with no duplicate allowed).
func TestDatabaseOutageLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary through a database outage; skipped with -short")
	}
	messages := envInt(t, "CORNERSHOP_OUTAGE_MESSAGES", outageMessages)
	convs := envInt(t, "CORNERSHOP_OUTAGE_CONVS", outageConvs)
	mode := cmp.Or(os.Getenv("CORNERSHOP_OUTAGE_STOP"), "fast")
	if mode != "fast" && mode != "immediate" {
		t.Fatalf("CORNERSHOP_OUTAGE_STOP=%q: want fast or immediate", mode)
	}
	pg := startPostgres(t)
	bin := cornershopBinary(t)
	began := time.Now()
	dir := t.TempDir()
	w := newCrashWorld(t, convs)
	cfg := w.config(t, dir, "postgres", crashWorkers)
	logs := serveLog(t, dir, 8000)
	srv := startServer(t, bin, cfg, w.env(pg.DSN()), logs)
	defer func() { srv.kill() }()
	if !waitUntil(30*time.Second, srv.ready) {
		t.Fatal("the service did not connect to all three emulators")
	}
	db := openResults(t, "postgres", pg.DSN())

	// The outage starts once every conversation has begun (a first-ever
	// Discord DM written while nobody holds the gateway is invisible to a
	// bot, see docs/architecture.md "Crash safety"), a third of the way in.
	outageAt := max(convs*2, messages/3)
	pace := outageSendFor / time.Duration(messages)
	outage := make(chan error, 1)
	readyDuringOutage := make(chan readyAnswer, 1)
	var downAt, upAt time.Time
	threads := map[string]string{}
	replies := 0
	for i := range messages {
		if i == outageAt {
			// Customers keep writing while the server shuts down: events
			// arrive while transactions are failing and before the
			// gateway's lock is found lost.
			go func() {
				if err := pg.stop(mode); err != nil {
					outage <- err
					return
				}
				downAt = time.Now()
				time.Sleep(outageFor / 2)
				readyDuringOutage <- readyz(srv.addr)
				time.Sleep(outageFor / 2)
				upAt = time.Now()
				outage <- pg.start()
			}()
		}
		c := w.convs[i%len(w.convs)]
		if err := w.write(c); err != nil {
			t.Fatalf("customer %d: %v", c.n, err)
		}
		if i%crashReplyOne == 0 {
			deskThreads(db, threads) // fails quietly while the database is down
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
		time.Sleep(pace)
	}
	if err := <-outage; err != nil {
		t.Fatalf("PostgreSQL did not start again: %v", err)
	}
	t.Logf("sent %d customer messages over %d conversations and %d staff replies in %s; the database was stopped (%s) from %s to %s after the start",
		messages, convs, replies, time.Since(began).Round(time.Millisecond), mode, downAt.Sub(began).Round(time.Millisecond), upAt.Sub(began).Round(time.Millisecond))
	checkCrash(t, w, db, messages, replies, 0, crashWorkers)
	// /readyz said so while the database was down, without naming it.
	if r := <-readyDuringOutage; r.code != 503 || !strings.Contains(r.body, "database unavailable") {
		t.Errorf("readyz during the outage = %d %q, want 503 database unavailable", r.code, r.body)
	} else {
		for _, part := range dsnParts(pg.DSN()) {
			if strings.Contains(r.body, part) {
				t.Errorf("readyz's body %q shows %q, part of the DSN", r.body, part)
			}
		}
	}
	if !waitUntil(40*time.Second, func() bool { return readyz(srv.addr).code == 200 }) {
		r := readyz(srv.addr)
		t.Errorf("readyz after the outage = %d %q, want 200", r.code, r.body)
	}
	if srv.cmd.ProcessState != nil {
		t.Errorf("cornershop exited during the outage: %v", srv.cmd.ProcessState)
	}
	if b, err := os.ReadFile(logs.Name()); err == nil {
		s := string(b)
		t.Logf("log lines: %d discord messages left unrecorded and read back later, %d caught-up channels, %d outbox claim failures logged, %d exclusive locks lost",
			strings.Count(s, "it will be read back"), strings.Count(s, "caught up unrecorded messages"), strings.Count(s, "outbox claim failed"), strings.Count(s, "exclusive lock lost"))
	}
}

// envInt reads a positive count from the environment, or def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// readyAnswer is one answer of /readyz.
type readyAnswer struct {
	code int
	body string
}

func readyz(addr string) readyAnswer {
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return readyAnswer{body: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return readyAnswer{code: resp.StatusCode, body: string(b)}
}
