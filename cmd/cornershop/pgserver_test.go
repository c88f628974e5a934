package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// pgServer is a PostgreSQL server of the test's own, in a temporary
// directory on a free port, which the test may stop and start (never the
// shared server the other tests use).
type pgServer struct {
	bin  string   // the directory of initdb and pg_ctl
	as   []string // the command prefix running them as the postgres user, when root
	dir  string   // holds data/, the socket and log
	port int
}

// startPostgres initialises and starts a server, stopped at cleanup. It
// skips the test when the server's binaries are missing or cannot run.
func startPostgres(t *testing.T) *pgServer {
	t.Helper()
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		found = append(found, p)
	}
	if len(found) == 0 {
		t.Skip("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on PATH; outage test skipped")
	}
	slices.Sort(found) // the newest version last
	pg := &pgServer{bin: filepath.Dir(found[len(found)-1])}
	dir, err := os.MkdirTemp("", "cornershop-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	pg.dir = dir
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as postgres, which
		// must own the directory.
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			t.Skip("running as root without runuser: cannot start PostgreSQL as the postgres user; outage test skipped")
		}
		pg.as = []string{runuser, "-u", "postgres", "--"}
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot hand %s to the postgres user (%v: %s); outage test skipped", dir, err, out)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := pg.run("initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"); err != nil {
		t.Skipf("initdb cannot run here (%v): %s; outage test skipped", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pg.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	if err := pg.start(); err != nil {
		t.Skipf("PostgreSQL does not start here: %v; outage test skipped", err)
	}
	t.Cleanup(func() { _ = pg.stop("immediate") })
	return pg
}

func (pg *pgServer) data() string { return filepath.Join(pg.dir, "data") }

// DSN is the server's connection string.
func (pg *pgServer) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// run runs one of the server's programs as its owner.
func (pg *pgServer) run(prog string, args ...string) ([]byte, error) {
	argv := append(append(slices.Clone(pg.as), filepath.Join(pg.bin, prog)), args...)
	return exec.Command(argv[0], argv[1:]...).CombinedOutput()
}

// start starts the server and waits until it accepts connections.
func (pg *pgServer) start() error {
	opts := "-p " + strconv.Itoa(pg.port) + " -k " + pg.dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
	if out, err := pg.run("pg_ctl", "-D", pg.data(), "-o", opts, "-l", filepath.Join(pg.dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %w: %s", err, out)
	}
	return nil
}

// stop stops the server with pg_ctl's mode (fast: sessions are ended;
// immediate: no clean shutdown) and waits for it to be down.
func (pg *pgServer) stop(mode string) error {
	if out, err := pg.run("pg_ctl", "-D", pg.data(), "-m", mode, "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	return nil
}
